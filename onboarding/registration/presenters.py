"""What the end-user pages show for a verification: which page comes next, the progress payload the upload
page polls, the rows and messages of the prefilled form, and the status page's wording.

Reads only (kyc selectors and the pure rules of onboarding.identity); every write is a kyc service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from onboarding.identity import Severity, validate_card
from onboarding.kyc import selectors
from onboarding.kyc.models import REJECT_REASONS, FieldName, FindingSource, Side, State, Verification
from onboarding.kyc.models import Severity as FindingSeverity
from onboarding.kyc.states import IMAGE_EDITABLE_STATES

# The browser scales photos down to this longest side before sending them (phones take 4000+ px).
MAX_PHOTO_SIDE = 2000
FIELD_LABELS = {
    FieldName.NAME: gettext_lazy("姓名"),
    FieldName.SEX: gettext_lazy("性别"),
    FieldName.NATION: gettext_lazy("民族"),
    FieldName.BIRTH: gettext_lazy("出生"),
    FieldName.ADDRESS: gettext_lazy("住址"),
    FieldName.ID_NUM: gettext_lazy("公民身份号码"),
    FieldName.AUTHORITY: gettext_lazy("签发机关"),
    FieldName.VALID_DATE: gettext_lazy("有效期限"),
}
FIELD_HELP = {
    FieldName.SEX: gettext_lazy("男 或 女"),
    FieldName.NATION: gettext_lazy("不带“族”字，如：汉、壮、维吾尔"),
    FieldName.BIRTH: gettext_lazy("格式：1987/1/1"),
    FieldName.VALID_DATE: gettext_lazy("格式：2015.07.24-2035.07.24 或 2015.07.24-长期"),
}
FRONT_FIELDS = (
    FieldName.NAME,
    FieldName.SEX,
    FieldName.NATION,
    FieldName.BIRTH,
    FieldName.ADDRESS,
    FieldName.ID_NUM,
)
BACK_FIELDS = (FieldName.AUTHORITY, FieldName.VALID_DATE)
# OCR warnings about the photo's origin: the remedy is a photo of the card itself.
NOT_ORIGINAL_CODES = frozenset(
    {"ocr.copy", "ocr.reshoot", "ocr.ps_edited", "ocr.electronic_id", "ocr.watermark"}
)
SIDE_TITLES = {
    Side.FRONT: gettext_lazy("人像面（有照片的一面）"),
    Side.BACK: gettext_lazy("国徽面（有国徽的一面）"),
}
SIDE_HINTS = {Side.FRONT: gettext_lazy("身份证人像面"), Side.BACK: gettext_lazy("身份证国徽面")}


def is_chinese() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("zh")


def pick(message_zh: str, message_en: str) -> str:
    """The message in the page's language."""
    return message_zh if is_chinese() else message_en


def url_for(name: str, verification: Verification) -> str:
    return reverse(f"registration:{name}", kwargs={"public_id": verification.public_id})


def next_url(verification: Verification) -> str:
    """The page that fits the case's state: upload, form or status."""
    state = verification.state
    if state in (State.DRAFT, State.PROCESSING, State.RESUBMISSION_REQUESTED):
        return url_for("upload", verification)
    if state == State.NEEDS_INPUT:
        return url_for("upload" if verification.input_request else "form", verification)
    return url_for("status", verification)


# --- upload -------------------------------------------------------------------------------------


def retake_messages(verification: Verification) -> dict[str, str]:
    """Why each side must be photographed again (lower-case side -> message), in the page's language."""
    sides: dict[str, str] = {}
    if verification.state == State.NEEDS_INPUT and verification.input_request:
        request = verification.input_request
        general = pick(request.get("message_zh", ""), request.get("message_en", ""))
        per_side = {
            f.side: pick(f.message_zh, f.message_en)
            for f in selectors.verification_findings(verification=verification)
            if f.side and f.source == FindingSource.SYSTEM and f.severity == FindingSeverity.ERROR
        }
        for side in request.get("sides", []):
            sides[str(side).lower()] = per_side.get(side) or general
    elif verification.state == State.RESUBMISSION_REQUESTED:
        for side in verification.resubmission_sides or Side.values:
            sides[str(side).lower()] = verification.resubmission_reason
    return sides


def required_sides(verification: Verification) -> list[str]:
    """The sides the upload page must receive a new photo for."""
    if verification.state == State.NEEDS_INPUT and verification.input_request:
        return [s for s in Side.values if s in verification.input_request.get("sides", [])] or list(
            Side.values
        )
    if verification.state == State.RESUBMISSION_REQUESTED and verification.resubmission_sides:
        return [s for s in Side.values if s in verification.resubmission_sides]
    return list(Side.values)


def ask_to_reupload(verification: Verification) -> str:
    """The one-line reason the upload page opens with, when it is a second attempt."""
    if verification.state == State.NEEDS_INPUT and verification.input_request:
        request = verification.input_request
        return pick(request.get("message_zh", ""), request.get("message_en", ""))
    if verification.state == State.RESUBMISSION_REQUESTED:
        return verification.resubmission_reason or pick(
            *selectors.STATE_MESSAGES[State.RESUBMISSION_REQUESTED]
        )
    return ""


def progress_payload(verification: Verification) -> dict[str, Any]:
    """What the upload page's script polls: ready (go to next_url), failed (say why), or still reading."""
    progress = selectors.verification_progress(verification=verification)
    state = progress["state"]
    payload: dict[str, Any] = {
        "state": state,
        "ready": False,
        "failed": False,
        "label": pick(progress["message_zh"], progress["message_en"]),
        "progress_url": url_for("progress", verification),
    }
    if state == State.PROCESSING:
        payload["label"] = _("正在识别证件信息…")
    elif state == State.NEEDS_INPUT and progress["form_ready"]:
        payload.update(ready=True, next_url=url_for("form", verification))
    elif state in IMAGE_EDITABLE_STATES:
        payload.update(failed=True, message=payload["label"], sides=retake_messages(verification))
    else:
        payload.update(ready=True, next_url=url_for("status", verification))
    return payload


def upload_text() -> dict[str, str]:
    """The upload script's strings, in the page's language."""
    return {
        "notImage": _("请选择照片文件（JPG 或 PNG）。"),
        "unreadable": _("无法读取这张照片，请换一张。"),
        "preparing": _("正在处理照片…"),
        "resized": _("已自动缩小"),
        "uploading": _("正在上传…"),
        "reading": _("正在识别证件信息…"),
        "ready": _("识别完成，正在打开表单…"),
        "failed": _("上传失败，请重试。"),
        "fixSides": _("请按红色提示重新拍摄或选择这一面的照片。"),
        "network": _("网络错误，请检查网络后重试。"),
        "slow": _("识别时间比预期长，请稍后刷新本页查看结果。"),
    }


IMAGE_ERRORS = {
    "image_empty": gettext_lazy("文件是空的，请重新选择照片。"),
    "image_too_large": gettext_lazy("照片文件太大，请换一张较小的照片。"),
    "image_type": gettext_lazy("只能上传 JPG 或 PNG 格式的照片。"),
    "image_too_many_pixels": gettext_lazy("照片像素太多，请换一张较小的照片。"),
    "image_corrupt": gettext_lazy("照片无法打开，请重新拍摄。"),
}


def image_error_message(code: str) -> str:
    return str(IMAGE_ERRORS.get(code, gettext_lazy("照片无法使用，请重新拍摄。")))


# --- the prefilled form -------------------------------------------------------------------------


@dataclass
class FormRow:
    name: str
    label: str
    value: str
    ocr_value: str
    changed: bool
    help: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    wide: bool = False
    mono: bool = False


@dataclass
class FormPage:
    rows: list[FormRow]
    card_messages: list[str]  # findings about the card as a whole
    card_has_errors: bool
    retake: list[str]  # OCR warnings about the photos (copy, screen, glare ...)
    retake_not_original: bool  # the remedy is a photo of the original card


def form_page(
    verification: Verification,
    *,
    posted: Mapping[str, str] | None = None,
    refused: Iterable[Any] = (),
) -> FormPage:
    """Rows of the form (the owner's own data, unmasked) with the rules' messages on each field.

    ``posted`` overlays what the user just sent; ``refused`` are the findings a refused submission raised.
    The rules run on the values shown, so an expired card or a wrong check character is pointed out
    before the user presses submit.
    """
    stored = {
        row["field"]: row
        for row in selectors.verification_field_rows(verification=verification, unmasked=True)
    }
    values: dict[str, str] = {}
    for name in FieldName.values:
        values[name] = str(stored.get(name, {}).get("value", ""))
        if posted is not None and name in posted:
            values[name] = posted[name]
    findings = list(
        validate_card(
            front={name: values[name] for name in FRONT_FIELDS},
            back={name: values[name] for name in BACK_FIELDS},
            today=timezone.localdate(),
            min_age=settings.KYC_MIN_AGE,
            expiring_within_days=settings.KYC_EXPIRING_WITHIN_DAYS,
        )
    )
    seen = {(f.code, f.field) for f in findings}
    findings += [f for f in refused if (f.code, f.field) not in seen]

    rows: list[FormRow] = []
    for name in FieldName.values:
        ocr_value = str(stored.get(name, {}).get("ocr_value", ""))
        rows.append(
            FormRow(
                name=name,
                label=str(FIELD_LABELS[FieldName(name)]),
                value=values[name],
                ocr_value=ocr_value,
                changed=values[name].strip() != ocr_value.strip(),
                help=str(FIELD_HELP.get(FieldName(name), "")),
                wide=name in (FieldName.ADDRESS, FieldName.ID_NUM, FieldName.VALID_DATE),
                mono=name == FieldName.ID_NUM,
            )
        )
    by_name = {row.name: row for row in rows}
    card_messages: list[str] = []
    card_has_errors = False
    for finding in findings:
        severity = str(finding.severity)
        if severity == Severity.INFO:
            continue
        message = pick(finding.message_zh, finding.message_en)
        row = by_name.get(finding.field or "")
        if row is None:
            card_messages.append(message)
            card_has_errors = card_has_errors or severity == Severity.ERROR
        elif severity == Severity.ERROR:
            row.errors.append(message)
        else:
            row.warnings.append(message)

    photo_findings = [
        f
        for f in selectors.verification_findings(verification=verification)
        if f.source == FindingSource.OCR_WARNING
    ]
    retake = list(dict.fromkeys(pick(f.message_zh, f.message_en) for f in photo_findings))
    return FormPage(
        rows=rows,
        card_messages=list(dict.fromkeys(card_messages)),
        card_has_errors=card_has_errors,
        retake=retake,
        retake_not_original=any(f.code in NOT_ORIGINAL_CODES for f in photo_findings),
    )


# --- status -------------------------------------------------------------------------------------


@dataclass
class StatusView:
    label: str
    tone: str  # ok | wait | warn | err (CSS)
    explanation: str
    reason: str = ""
    action_url: str = ""
    action_label: str = ""


def status_view(verification: Verification) -> StatusView:
    state = verification.state
    explanation = pick(*selectors.STATE_MESSAGES[State(state)])
    if state in (State.AUTO_APPROVED, State.APPROVED):
        return StatusView(label=_("已通过"), tone="ok", explanation=explanation)
    if state in (State.SUBMITTED, State.IN_REVIEW):
        return StatusView(
            label=_("审核中"),
            tone="wait",
            explanation=_("您的资料已提交，需要人工审核，通常在一个工作日内完成。审核结果会显示在本页。"),
        )
    if state == State.RESUBMISSION_REQUESTED:
        return StatusView(
            label=_("请重新上传"),
            tone="warn",
            explanation=_("审核员请您重新上传身份证照片。"),
            reason=verification.resubmission_reason,
            action_url=url_for("upload", verification),
            action_label=_("重新上传照片"),
        )
    if state == State.REJECTED:
        reasons = [
            pick(*REJECT_REASONS[code]) for code in verification.reason_codes if code in REJECT_REASONS
        ]
        return StatusView(
            label=_("未通过"),
            tone="err",
            explanation=explanation,
            reason=pick("；", "; ").join(reasons),
            action_url=reverse("registration:start"),
            action_label=_("重新开始核验"),
        )
    if state == State.EXPIRED:
        return StatusView(
            label=_("已过期"),
            tone="err",
            explanation=explanation,
            action_url=reverse("registration:start"),
            action_label=_("重新开始核验"),
        )
    return StatusView(
        label=_("未完成"),
        tone="wait",
        explanation=explanation,
        action_url=next_url(verification),
        action_label=_("继续"),
    )
