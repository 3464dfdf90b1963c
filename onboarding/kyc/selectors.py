"""Reads of the kyc domain for the front doors: masked unless the caller asks for (and audits) more."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from onboarding.core.lib.masking import mask_address, mask_id_number, mask_name
from onboarding.kyc.models import (
    AuditEvent,
    CardImage,
    FieldName,
    FieldValue,
    Finding,
    OcrRead,
    Side,
    State,
    Verification,
)

# What the user sees for each state (zh, en).
STATE_MESSAGES: dict[str, tuple[str, str]] = {
    State.DRAFT: ("请上传身份证正反面照片。", "Upload both sides of your ID card."),
    State.PROCESSING: ("正在识别您的证件…", "Reading your card…"),
    State.NEEDS_INPUT: ("请核对识别结果并提交。", "Check the details read from your card and submit."),
    State.SUBMITTED: ("已提交，正在校验。", "Submitted; checking."),
    State.AUTO_APPROVED: ("身份验证已通过。", "Your identity is verified."),
    State.IN_REVIEW: ("已提交，正在人工审核。", "Submitted; a reviewer is checking it."),
    State.APPROVED: ("身份验证已通过。", "Your identity is verified."),
    State.REJECTED: ("身份验证未通过。", "The verification was rejected."),
    State.RESUBMISSION_REQUESTED: (
        "请按审核员的要求重新上传照片。",
        "Please upload new photos as the reviewer asked.",
    ),
    State.EXPIRED: ("本次验证已过期，请重新开始。", "This verification expired; please start again."),
}

_MASKS = {
    FieldName.ID_NUM: mask_id_number,
    FieldName.NAME: mask_name,
    FieldName.ADDRESS: mask_address,
}


def mask_field(name: str, value: str) -> str:
    """The value as lists and non-authorised views show it: number, name and address masked."""
    masker = _MASKS.get(FieldName(name)) if name in FieldName.values else None
    return masker(value) if masker and value else value


def verification_get(*, public_id: Any) -> Verification:
    """Any case by its public id (for reviewers and partners, who check access themselves); else 404."""
    verification = Verification.objects.filter(public_id=public_id).first()
    if verification is None:
        raise Http404("No such verification")
    return verification


def verification_get_for_user(*, user: Any, public_id: Any) -> Verification:
    """The user's own case; someone else's is a 404, exactly like a missing one."""
    if user is None or user.pk is None:  # anonymous: user_id=None would match every partner case
        raise Http404("No such verification")
    verification = Verification.objects.filter(public_id=public_id, user_id=user.pk).first()
    if verification is None:
        raise Http404("No such verification")
    return verification


def verification_latest_for_user(*, user: Any) -> Verification | None:
    """The user's newest case, whatever its state (None for an anonymous user)."""
    if user is None or user.pk is None:
        return None
    return Verification.objects.filter(user_id=user.pk).order_by("-created", "-pk").first()


def verification_current_images(*, verification: Verification) -> dict[str, CardImage]:
    """The image now counting for each side (superseded uploads left out); purged ones included."""
    images = CardImage.objects.filter(verification=verification, superseded_at__isnull=True)
    return {image.side: image for image in images}


def verification_latest_reads(*, verification: Verification) -> dict[str, OcrRead]:
    """The current OCR read of each side's image, by side."""
    reads = OcrRead.objects.filter(verification=verification, superseded_at__isnull=True).select_related(
        "image"
    )
    return {read.image.side: read for read in reads}


def verification_findings(
    *, verification: Verification, include_superseded: bool = False
) -> QuerySet[Finding]:
    findings = Finding.objects.filter(verification=verification)
    if not include_superseded:
        findings = findings.filter(superseded_at__isnull=True)
    return findings.order_by("id")


def verification_progress(*, verification: Verification) -> dict[str, Any]:
    """State, each side's status (missing, uploaded, read, failed, purged) and what to tell the user."""
    verification.refresh_from_db()
    images = verification_current_images(verification=verification)
    reads = verification_latest_reads(verification=verification)
    retake_sides = set(verification.input_request.get("sides", [])) if verification.input_request else set()
    sides: dict[str, dict[str, Any]] = {}
    for side in Side.values:
        image = images.get(side)
        read = reads.get(side)
        if image is None:
            status = "missing"
        elif image.purged_at is not None:
            status = "purged"
        elif side in retake_sides and (read is None or read.image_id == image.pk):
            status = "failed"
        elif read is not None and read.image_id == image.pk and not read.error_code:
            status = "read"
        else:
            status = "uploaded"
        sides[side] = {
            "status": status,
            "uploaded_at": image.created.isoformat() if image else None,
            "sha256": image.sha256 if image else None,
        }
    zh, en = STATE_MESSAGES[verification.state]
    if verification.state == State.NEEDS_INPUT and verification.input_request:
        zh = verification.input_request.get("message_zh", zh)
        en = verification.input_request.get("message_en", en)
    elif verification.state == State.RESUBMISSION_REQUESTED and verification.resubmission_reason:
        zh = f"{zh}{verification.resubmission_reason}"
        en = f"{en} {verification.resubmission_reason}"
    return {
        "public_id": str(verification.public_id),
        "state": verification.state,
        "state_label": State(verification.state).label,
        "version": verification.version,
        "sides": sides,
        "message_zh": zh,
        "message_en": en,
        "form_ready": verification.state == State.NEEDS_INPUT and not verification.input_request,
        "retake_sides": sorted(retake_sides),
        "resubmission_sides": list(verification.resubmission_sides)
        if verification.state == State.RESUBMISSION_REQUESTED
        else [],
        "done": verification.is_terminal,
    }


def verification_field_rows(*, verification: Verification, unmasked: bool) -> list[dict[str, Any]]:
    """One row per contract field: OCR value, user value, changed, confidence (masked unless ``unmasked``).

    A caller passing ``unmasked=True`` for someone other than the owner records it with
    services.verification_record_pii_access.
    """
    stored = {fv.name: fv for fv in FieldValue.objects.filter(verification=verification)}
    rows: list[dict[str, Any]] = []
    for name in FieldName.values:
        fv = stored.get(name)
        ocr_value = fv.ocr_value if fv else ""
        user_value = fv.user_value if fv else ""
        if not unmasked:
            ocr_value, user_value = mask_field(name, ocr_value), mask_field(name, user_value)
        rows.append(
            {
                "field": name,
                "label": FieldName(name).label,
                "ocr_value": ocr_value,
                "user_value": user_value,
                "value": (user_value if fv and fv.source == "user" else ocr_value),
                "changed": bool(fv and fv.changed),
                "confidence": fv.confidence if fv else None,
                "source": fv.source if fv else "",
            }
        )
    return rows


def verification_form_initial(*, verification: Verification) -> dict[str, str]:
    """The values to prefill the user's form with (their own data, unmasked: only for the owner)."""
    stored = {fv.name: fv for fv in FieldValue.objects.filter(verification=verification)}
    return {name: (stored[name].value if name in stored else "") for name in FieldName.values}


@dataclass(frozen=True)
class ReviewQueue:
    items: QuerySet[Verification]
    counts: dict[str, int]  # cases per state, over the whole review population
    total: int  # items matching the filters


def verification_list_for_review(
    *,
    states: Sequence[str] = (State.IN_REVIEW,),
    warn_codes: Sequence[int] = (),
    finding_codes: Sequence[str] = (),
    partner_id: Any = None,
    older_than_hours: float | None = None,
    unclaimed_only: bool = False,
    newest_first: bool = False,
) -> ReviewQueue:
    """Cases for the review queue, oldest submission first by default, with counts per state."""
    qs = Verification.objects.filter(state__in=list(states)).select_related("user", "claimed_by")
    if warn_codes:
        qs = qs.filter(
            Exists(
                Finding.objects.filter(
                    verification=OuterRef("pk"), superseded_at__isnull=True, warn_code__in=list(warn_codes)
                )
            )
        )
    if finding_codes:
        qs = qs.filter(
            Exists(
                Finding.objects.filter(
                    verification=OuterRef("pk"), superseded_at__isnull=True, code__in=list(finding_codes)
                )
            )
        )
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    if older_than_hours is not None:
        qs = qs.filter(submitted_at__lt=timezone.now() - datetime.timedelta(hours=older_than_hours))
    if unclaimed_only:
        qs = qs.filter(Q(claimed_by__isnull=True) | Q(claim_expires_at__lt=timezone.now()))
    qs = qs.annotate(
        open_findings=Count("findings", filter=Q(findings__superseded_at__isnull=True), distinct=True)
    )
    order = ("-submitted_at", "-pk") if newest_first else ("submitted_at", "pk")
    qs = qs.order_by(*order)
    review_states = (State.IN_REVIEW, State.RESUBMISSION_REQUESTED, State.APPROVED, State.REJECTED)
    counts = dict(
        Verification.objects.filter(state__in=review_states)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return ReviewQueue(items=qs, counts={s: counts.get(s, 0) for s in review_states}, total=qs.count())


def verification_same_id_number(*, verification: Verification) -> QuerySet[Verification]:
    """Other cases whose ID number has the same keyed hash (any account, any state)."""
    if not verification.id_number_hash:
        return Verification.objects.none()
    return (
        Verification.objects.filter(id_number_hash=verification.id_number_hash)
        .exclude(pk=verification.pk)
        .select_related("user")
        .order_by("-created")
    )


def verification_audit_timeline(*, verification: Verification) -> QuerySet[AuditEvent]:
    """Every audit event of the case in order."""
    return AuditEvent.objects.filter(verification=verification).order_by("seq")
