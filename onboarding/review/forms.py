"""Forms of the review console: the queue's filters and the three decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onboarding.kyc.models import REJECT_REASONS, Side, State
from onboarding.ocr.engine.types import WarnCode
from onboarding.review.explanations import explain_warning, finding_title
from onboarding.review.selectors import known_finding_codes, known_partners

# The states a reviewer filters by: the open ones first, then the decided ones (to look back).
QUEUE_STATES = (
    State.IN_REVIEW,
    State.RESUBMISSION_REQUESTED,
    State.APPROVED,
    State.REJECTED,
    State.AUTO_APPROVED,
)
AGE_CHOICES = (
    ("", _("Any age")),
    ("1h", _("Waiting over 1 hour")),
    ("4h", _("Waiting over 4 hours")),
    ("24h", _("Waiting over 1 day")),
    ("72h", _("Waiting over 3 days")),
)
AGE_HOURS = {"1h": 1, "4h": 4, "24h": 24, "72h": 72}
ORDER_CHOICES = (
    ("", _("Oldest first")),
    ("newest", _("Newest first")),
)
CLAIM_CHOICES = (
    ("", _("Anyone's")),
    ("mine", _("Claimed by me")),
    ("unclaimed", _("Not claimed")),
)


def _zh() -> bool:
    return (get_language() or "zh").startswith("zh")


def reject_reason_choices() -> list[tuple[str, str]]:
    """The kyc app's rejection reasons, labelled in the current language."""
    return [(code, zh if _zh() else en) for code, (zh, en) in REJECT_REASONS.items()]


def warning_choices() -> list[tuple[str, str]]:
    return [
        (str(int(code)), f"{int(code)} {explain_warning(code).title(language=get_language() or 'zh')}")
        for code in WarnCode
    ]


def _finding_label(code: str) -> str:
    title = finding_title(code, language=get_language() or "zh")
    return code if title == code else f"{title} ({code})"


def state_choices() -> list[tuple[str, str]]:
    return [("", str(_("Open cases"))), *((s.value, str(s.label)) for s in QUEUE_STATES)]


def finding_choices() -> list[tuple[str, str]]:
    return [(code, _finding_label(code)) for code in known_finding_codes()]


def partner_choices() -> list[tuple[str, str]]:
    return [("", str(_("Any source"))), ("none", str(_("Own sign-ups"))), *known_partners()]


class QueueFilterForm(forms.Form):
    """GET filters of the queue; every field optional. Choices are read when the form is built."""

    state = forms.ChoiceField(required=False, choices=state_choices, label=_("State"))
    warning = forms.MultipleChoiceField(required=False, choices=warning_choices, label=_("OCR warnings"))
    finding = forms.MultipleChoiceField(required=False, choices=finding_choices, label=_("Findings"))
    partner = forms.ChoiceField(required=False, choices=partner_choices, label=_("Partner"))
    age = forms.ChoiceField(required=False, choices=AGE_CHOICES, label=_("Age"))
    claim = forms.ChoiceField(required=False, choices=CLAIM_CHOICES, label=_("Claim"))
    order = forms.ChoiceField(required=False, choices=ORDER_CHOICES, label=_("Order"))


class DecisionForm(forms.Form):
    """What every decision carries: the version the reviewer looked at (optimistic locking)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ApproveForm(DecisionForm):
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note (optional)")
    )


class RejectForm(DecisionForm):
    reason_codes = forms.MultipleChoiceField(
        choices=reject_reason_choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Reasons"),
        error_messages={"required": _("Pick at least one reason.")},
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Note")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # "Other" says nothing by itself: the note is the reason then.
        if "other" in data.get("reason_codes", []) and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what the other reason is."))
        return data


class ResubmitForm(DecisionForm):
    sides = forms.MultipleChoiceField(
        choices=Side.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Sides to photograph again"),
        error_messages={"required": _("Pick the side or sides to re-upload.")},
    )
    reason = forms.CharField(
        max_length=500,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason (shown to the user)"),
        error_messages={"required": _("Tell the user why.")},
    )


@dataclass(frozen=True)
class ReasonPreset:
    label: str
    text: str  # what the user reads; Chinese, the applicants' default language
    side: str = ""


def resubmit_presets() -> list[ReasonPreset]:
    """Common reasons to ask for new photos, one click each (the text stays editable)."""
    return [
        ReasonPreset(str(_("Blurred")), "照片模糊，请在光线充足处对焦后重新拍摄。"),
        ReasonPreset(str(_("Glare")), "证件有反光，部分文字看不清，请避开强光重新拍摄。"),
        ReasonPreset(str(_("Edge cut off")), "证件边缘被裁掉，请把整张证件完整拍进画面。"),
        ReasonPreset(str(_("Covered")), "证件有遮挡，请移开手指或其他物品后重新拍摄。"),
        ReasonPreset(str(_("Copy or screen")), "照片疑似复印件或翻拍屏幕，请直接拍摄身份证原件。"),
        ReasonPreset(str(_("Back side")), "请重新上传身份证国徽面（有国徽的一面）的照片。", side="BACK"),
    ]
