"""Reads of the review console that the kyc selectors do not cover: a queue page's rows, signal counts."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from onboarding.kyc.models import FieldName, FieldValue, Finding, Severity, State, Verification
from onboarding.kyc.selectors import mask_field
from onboarding.review.explanations import explain_warning, finding_title

OPEN_STATE = State.IN_REVIEW


@dataclass
class QueueRow:
    verification: Verification
    name_masked: str
    id_number_masked: str
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (code, title)
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (code, severity, title)
    claimed_by_label: str = ""
    claimed_by_me: bool = False
    claim_expires_at: datetime.datetime | None = None
    partner_label: str = ""


def _active_findings() -> QuerySet[Finding]:
    return Finding.objects.filter(superseded_at__isnull=True)


def queue_rows(
    *,
    verifications: list[Verification],
    reviewer_id: int,
    language: str,
    now: datetime.datetime | None = None,
) -> list[QueueRow]:
    """One row per verification of a page: masked identity, warnings, findings and who holds the claim."""
    now = now or timezone.now()
    prefetch_related_objects(
        verifications,
        Prefetch("findings", queryset=_active_findings().order_by("id"), to_attr="active_findings"),
        Prefetch(
            "field_values",
            queryset=FieldValue.objects.filter(name__in=[FieldName.NAME, FieldName.ID_NUM]),
            to_attr="key_values",
        ),
    )
    partners = partner_names(partner_ids={v.partner_id for v in verifications})
    rows: list[QueueRow] = []
    for v in verifications:
        values = {fv.name: fv.value for fv in v.key_values}  # type: ignore[attr-defined]
        findings: list[Finding] = v.active_findings  # type: ignore[attr-defined]
        live = v.claimed_by_id is not None and v.claim_expires_at is not None and v.claim_expires_at > now
        rows.append(
            QueueRow(
                verification=v,
                name_masked=mask_field(FieldName.NAME, values.get(FieldName.NAME, "")),
                id_number_masked=mask_field(FieldName.ID_NUM, values.get(FieldName.ID_NUM, "")),
                warnings=[
                    (code, explain_warning(code).title(language=language))
                    for code in sorted({f.warn_code for f in findings if f.warn_code is not None})
                ],
                findings=[
                    (f.code, f.severity, finding_title(f.code, language=language))
                    for f in findings
                    if f.warn_code is None and f.severity != Severity.INFO
                ],
                claimed_by_label=v.claimed_by.get_username() if live and v.claimed_by else "",
                claimed_by_me=live and v.claimed_by_id == reviewer_id,
                claim_expires_at=v.claim_expires_at if live else None,
                partner_label=partners.get(str(v.partner_id), str(v.partner_id or "")),
            )
        )
    return rows


def queue_signal_counts(*, state: str = OPEN_STATE) -> tuple[dict[int, int], dict[str, int]]:
    """Among cases in ``state``: how many carry each OCR warning code, and each finding code."""
    active = _active_findings().filter(verification__state=state)
    warnings = dict(
        active.filter(warn_code__isnull=False)
        .values_list("warn_code")
        .annotate(n=Count("verification", distinct=True))
        .order_by()
    )
    findings = dict(
        active.filter(warn_code__isnull=True)
        .values_list("code")
        .annotate(n=Count("verification", distinct=True))
        .order_by()
    )
    return warnings, findings


def known_finding_codes() -> list[str]:
    """Every finding code seen on an active finding (the choices of the queue's finding filter)."""
    return sorted(set(_active_findings().values_list("code", flat=True).distinct()))


def known_partners() -> list[tuple[str, str]]:
    """(partner id, name) of every partner that has opened verifications, by name."""
    ids = list(
        Verification.objects.filter(partner_id__isnull=False).values_list("partner_id", flat=True).distinct()
    )
    names = partner_names(partner_ids=ids)
    return sorted(((str(i), names.get(str(i), str(i))) for i in ids), key=lambda pair: pair[1])


def partner_names(*, partner_ids: Iterable[uuid.UUID | None]) -> dict[str, str]:
    """Partner id -> name, for labelling cases (a verification references its partner by UUID only)."""
    from onboarding.partners.models import Partner

    ids = [i for i in partner_ids if i]
    if not ids:
        return {}
    return {str(pk): name for pk, name in Partner.objects.filter(pk__in=ids).values_list("pk", "name")}
