"""Everything the case page shows, gathered from the kyc selectors and explained for a reviewer."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from onboarding.core.lib.masking import mask_name
from onboarding.kyc.models import (
    REJECT_REASONS,
    AuditEvent,
    CardImage,
    Finding,
    FindingSource,
    OcrRead,
    Side,
    State,
    Verification,
)
from onboarding.kyc.selectors import (
    verification_audit_timeline,
    verification_current_images,
    verification_field_rows,
    verification_findings,
    verification_latest_reads,
    verification_same_id_number,
)
from onboarding.review.explanations import explain_finding, explain_warning

# Below these a field's confidence is shown as doubtful (red) or worth a look (amber).
PII_VIEWED = "pii.viewed"  # the action verification_record_pii_access records
LOW_CONFIDENCE = 0.80
MID_CONFIDENCE = 0.95


@dataclass
class Segment:
    text: str
    differs: bool


@dataclass
class FieldRow:
    field: str
    label: str
    ocr_value: str
    user_value: str
    changed: bool
    confidence: float | None
    ocr_segments: list[Segment]
    user_segments: list[Segment]

    @property
    def confidence_pct(self) -> int | None:
        return None if self.confidence is None else round(100 * self.confidence)

    @property
    def confidence_level(self) -> str:
        if self.confidence is None:
            return ""
        if self.confidence < LOW_CONFIDENCE:
            return "low"
        return "mid" if self.confidence < MID_CONFIDENCE else "high"


@dataclass
class ExplainedSignal:
    code: str
    severity: str
    title: str
    text: str
    message: str  # what the user was told
    field: str
    side: str
    warn_code: int | None


@dataclass
class SideEvidence:
    side: str
    label: str
    image: CardImage | None
    read: OcrRead | None
    warning_codes: list[int] = field(default_factory=list)


@dataclass
class TimelineEntry:
    event: AuditEvent
    before: str
    after: str
    count: int = 1  # consecutive views of personal data by one person are shown as one entry


@dataclass
class CaseFile:
    verification: Verification
    sides: list[SideEvidence]
    fields: list[FieldRow]
    warnings: list[ExplainedSignal]
    findings: list[ExplainedSignal]
    same_number: list[Verification]
    timeline: list[TimelineEntry]
    reason_labels: list[str]
    unmasked: bool

    @property
    def decided(self) -> bool:
        return bool(self.verification.state != State.IN_REVIEW)


def _segments(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    """Character-level differences of ``a`` against ``b``, as runs marked same or different."""
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(Segment(a[i1:i2], op != "equal"))
        if j2 > j1:
            right.append(Segment(b[j1:j2], op != "equal"))
    return left, right


def _explain(finding: Finding, *, language: str) -> ExplainedSignal:
    zh = language.lower().startswith("zh")
    message = finding.message_zh if zh else finding.message_en
    if finding.warn_code is not None:
        explanation = explain_warning(finding.warn_code)
        title, text = explanation.title(language=language), explanation.text(language=language)
    else:
        found = explain_finding(finding.code)
        title = found.title(language=language) if found else finding.code
        text = found.text(language=language) if found else ""
    return ExplainedSignal(
        code=finding.code,
        severity=finding.severity,
        title=title,
        text=text,
        message=message,
        field=finding.field,
        side=finding.side,
        warn_code=finding.warn_code,
    )


def build_case_file(*, verification: Verification, unmasked: bool, language: str) -> CaseFile:
    """The case page's content; personal data masked unless ``unmasked`` (the caller audits that)."""
    images = verification_current_images(verification=verification)
    reads = verification_latest_reads(verification=verification)
    sides = [
        SideEvidence(
            side=side.value,
            label=str(side.label),
            image=images.get(side.value),
            read=reads.get(side.value),
            warning_codes=list(reads[side.value].warnings) if side.value in reads else [],
        )
        for side in Side
    ]
    rows: list[FieldRow] = []
    for row in verification_field_rows(verification=verification, unmasked=unmasked):
        ocr_value, user_value = row["ocr_value"], row["user_value"]
        differs = bool(row["changed"]) or (bool(user_value) and user_value != ocr_value)
        if differs:
            ocr_segments, user_segments = _segments(ocr_value, user_value)
        else:
            ocr_segments, user_segments = [Segment(ocr_value, False)], [Segment(user_value, False)]
        rows.append(
            FieldRow(
                field=row["field"],
                label=row["label"],
                ocr_value=ocr_value,
                user_value=user_value,
                changed=differs,
                confidence=row["confidence"],
                ocr_segments=ocr_segments,
                user_segments=user_segments,
            )
        )
    findings = list(verification_findings(verification=verification))
    warnings = [_explain(f, language=language) for f in findings if f.source == FindingSource.OCR_WARNING]
    others = [_explain(f, language=language) for f in findings if f.source != FindingSource.OCR_WARNING]
    zh = language.lower().startswith("zh")
    return CaseFile(
        verification=verification,
        sides=sides,
        fields=rows,
        warnings=warnings,
        findings=others,
        same_number=list(verification_same_id_number(verification=verification)[:50]),
        timeline=_timeline(verification),
        reason_labels=[
            REJECT_REASONS[c][0 if zh else 1] if c in REJECT_REASONS else c for c in verification.reason_codes
        ],
        unmasked=unmasked,
    )


def owner_label(verification: Verification, *, unmasked: bool) -> str:
    """Who the case belongs to, as a list may show it (an account name is personal data too)."""
    if verification.user is None:
        return ""
    name = verification.user.get_username()
    return name if unmasked else mask_name(name)


def _timeline(verification: Verification) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    viewed: list[str] = []
    for event in verification_audit_timeline(verification=verification):
        last = entries[-1] if entries else None
        if (
            event.action == PII_VIEWED
            and last is not None
            and last.event.action == PII_VIEWED
            and last.event.actor_id == event.actor_id
        ):
            viewed.extend(event.after.get("fields", []))
            last.count += 1
            last.after = "fields: " + ", ".join(dict.fromkeys(viewed))
            continue
        viewed = list(event.after.get("fields", [])) if event.action == PII_VIEWED else []
        entries.append(
            TimelineEntry(event=event, before=_one_line(event.before), after=_one_line(event.after))
        )
    return entries


def _one_line(payload: dict[str, Any]) -> str:
    # Audit payloads hold masked values only, so they can be shown as they are.
    def show(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(show(v) for v in value) or "—"
        return "—" if value in (None, "") else str(value)

    return "; ".join(f"{key}: {show(value)}" for key, value in payload.items())
