"""Reads of partners' verifications (kyc's tables, always filtered by the calling partner)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from onboarding.kyc.models import FieldValue, Finding, OcrRead, State, Verification
from onboarding.partners.lib.card_json import FIELD_NAMES, card_fields, warning_json
from onboarding.partners.models import Partner, PartnerVerification
from onboarding.partners.selectors import as_uuid
from onboarding.partners.verifications import decision_summary


def _moment(text: str) -> datetime.datetime | None:
    """An ISO date-time (naive means local time) or date (its midnight, local time); None if malformed."""
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def partner_verification_list(
    *,
    partner: Partner,
    state: str = "",
    external_ref: str = "",
    created_after: str = "",
    created_before: str = "",
) -> QuerySet[Verification]:
    """The partner's cases, newest first; a malformed filter matches nothing rather than failing."""
    qs = Verification.objects.filter(partner_id=partner.pk)
    if state:
        if state not in State.values:
            return qs.none()
        qs = qs.filter(state=state)
    if external_ref:
        qs = qs.filter(external_ref=external_ref)
    for text, lookup in ((created_after, "created__gte"), (created_before, "created__lt")):
        if text:
            moment = _moment(text)
            if moment is None:
                return qs.none()
            qs = qs.filter(**{lookup: moment})
    return qs.order_by("-created")


def partner_verification_get(*, partner: Partner, verification_id: str) -> Verification | None:
    """One of the partner's cases by its public id; another partner's case is None, like a missing one."""
    public_id = as_uuid(verification_id)
    if public_id is None:
        return None
    return Verification.objects.filter(partner_id=partner.pk, public_id=public_id).first()


def partner_verification_detail(*, verification: Verification, masked: bool) -> dict[str, Any]:
    """The case in the API's shape. Fields are what the card says (OCR), masked unless asked otherwise."""
    values = {fv.name: fv.ocr_value for fv in FieldValue.objects.filter(verification=verification)}
    record = PartnerVerification.objects.filter(verification_public_id=verification.public_id).first()
    findings = [
        {
            "code": f.code,
            "severity": f.severity,
            "field": FIELD_NAMES.get(f.field) if f.field else None,
            "side": f.side or None,
            "source": f.source,
            "message": f.message_en,
            "message_zh": f.message_zh,
        }
        for f in Finding.objects.filter(verification=verification, superseded_at__isnull=True).order_by("id")
    ]
    if record is not None and verification.state == State.NEEDS_INPUT:
        findings += [
            {
                "code": e.get("code", ""),
                "severity": "error",
                "field": FIELD_NAMES.get(e.get("field", "")) if e.get("field") else None,
                "side": None,
                "source": "rules",
                "message": e.get("message", ""),
                "message_zh": e.get("message_zh", ""),
            }
            for e in record.submit_errors
        ]
    warnings = []
    for read in OcrRead.objects.filter(verification=verification, superseded_at__isnull=True).select_related(
        "image"
    ):
        warnings += [{**warning_json(int(code)), "side": read.image.side} for code in read.warnings]
    request = verification.input_request or {}
    return {
        "id": verification.public_id,
        "state": verification.state,
        "external_ref": verification.external_ref,
        "created_at": verification.created,
        "updated_at": verification.updated,
        "pii_masked": masked,
        "fields": card_fields(values, masked=masked) if values else None,
        "findings": findings,
        "warnings": warnings,
        "input_request": (
            {
                "code": request.get("code", ""),
                "sides": list(request.get("sides", [])),
                "message": request.get("message_en", ""),
                "message_zh": request.get("message_zh", ""),
            }
            if request
            else None
        ),
        "decision": decision_summary(verification),
        "cross_check": [
            {"field": FIELD_NAMES[name], "matches": _same(name, claimed, values.get(name, ""))}
            for name, claimed in (record.claims.items() if record is not None and values else [])
            if name in FIELD_NAMES
        ],
    }


def _same(name: str, claimed: str, read: str) -> bool:
    if name == "IdNum":
        return claimed.strip().upper() == read.strip().upper()
    return "".join(claimed.split()) == "".join(read.split())
