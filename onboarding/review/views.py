"""The review console's pages. Thin: forms parse, kyc services write, selectors read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import ActorType, FieldName, State, Verification
from onboarding.kyc.selectors import verification_get, verification_list_for_review
from onboarding.kyc.services import (
    verification_approve,
    verification_claim,
    verification_record_pii_access,
    verification_reject,
    verification_release,
    verification_request_resubmission,
)
from onboarding.review import charts, selectors
from onboarding.review.access import decider_required, reviewer_required
from onboarding.review.casefile import build_case_file, owner_label
from onboarding.review.explanations import explain_warning, finding_title
from onboarding.review.forms import (
    AGE_HOURS,
    ApproveForm,
    DecisionForm,
    QueueFilterForm,
    RejectForm,
    ResubmitForm,
    resubmit_presets,
)
from onboarding.review.numbers import AGE_BUCKETS, numbers_for
from onboarding.review.roles import can_decide, can_view_personal_data

PAGE_SIZE = 25
# Green for approvals (light when automatic), red for rejections, indigo for re-uploads, amber for waiting.
OUTCOME_COLORS: dict[str, str] = {
    State.AUTO_APPROVED: "#4ade80",
    State.APPROVED: "#17803d",
    State.REJECTED: "#c8102e",
    State.RESUBMISSION_REQUESTED: "#3730a3",
    State.IN_REVIEW: "#b45309",
}


class ReviewLoginView(LoginView):
    """Staff sign-in for the console (Django's LoginView; lands on the queue)."""

    template_name = "review/login.html"

    def get_default_redirect_url(self) -> str:
        return reverse("review:queue")


class ReviewLogoutView(LogoutView):
    next_page = "review:login"


def _language() -> str:
    return get_language() or "zh-hans"


@require_GET
@reviewer_required
def queue(request: HttpRequest) -> HttpResponse:
    """Cases waiting for a person, oldest first, with filters, counts, claims and paging."""
    form = QueueFilterForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # an unknown value drops that one filter; cleaned_data keeps the valid ones
        data = form.cleaned_data
    state = data.get("state") or State.IN_REVIEW
    partner = data.get("partner", "")
    listing = verification_list_for_review(
        states=(state,),
        warn_codes=[int(code) for code in data.get("warning", [])],
        finding_codes=data.get("finding", []),
        partner_id=partner if partner not in ("", "none") else None,
        older_than_hours=AGE_HOURS.get(data.get("age", "")),
        unclaimed_only=data.get("claim") == "unclaimed",
        newest_first=data.get("order") == "newest",
    )
    now = timezone.now()
    lang = _language()
    items = listing.items
    if partner == "none":
        items = items.filter(partner_id__isnull=True)
    if data.get("claim") == "mine":
        items = items.filter(claimed_by_id=request.user.pk, claim_expires_at__gt=now)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.queue_rows(
        verifications=list(page.object_list), reviewer_id=int(request.user.pk or 0), language=lang, now=now
    )
    warning_counts, finding_counts = selectors.queue_signal_counts(state=state)
    query = request.GET.copy()
    query.pop("page", None)
    state_query = query.copy()
    state_query.pop("state", None)
    return render(
        request,
        "review/queue.html",
        {
            "nav": "queue",
            "form": form,
            "rows": rows,
            "page": page,
            "state": state,
            "state_counts": [(State(s), n) for s, n in listing.counts.items()],
            "warning_counts": [
                (code, explain_warning(code).title(language=lang), n)
                for code, n in sorted(warning_counts.items())
            ],
            "finding_counts": [
                (code, finding_title(code, language=lang), n) for code, n in sorted(finding_counts.items())
            ],
            "querystring": query.urlencode(),
            "state_querystring": state_query.urlencode(),
            "now": now,
            "newest_first": data.get("order") == "newest",
        },
    )


@require_GET
@reviewer_required
def numbers(request: HttpRequest) -> HttpResponse:
    """Cases per day, auto-approval rate, backlog and its age, warnings by code, time to decision."""
    try:
        days = max(7, min(90, int(request.GET.get("days", "30"))))
    except ValueError:
        days = 30
    n = numbers_for(days=days)
    labels = [d.strftime("%m-%d") for d in n.days]
    lang = _language()
    state_labels = {s.value: str(s.label) for s in State}
    context: dict[str, Any] = {
        "nav": "numbers",
        "n": n,
        "days": days,
        "day_choices": (7, 30, 90),
        "auto_rate_pct": None if n.auto_approval_rate is None else round(100 * n.auto_approval_rate, 1),
        "chart_per_day": charts.bar_chart(
            title=str(_("Cases per day (by submission)")),
            labels=labels,
            series={state_labels[s]: v for s, v in n.per_day.items()},
            colors=[OUTCOME_COLORS[s] for s in n.per_day],
            stacked=True,
            x_label_rotation=-45 if days > 14 else 0,
        ),
        "chart_auto_rate": charts.line_chart(
            title=str(_("Auto-approval rate per day (%)")),
            labels=labels,
            series={
                str(_("Auto-approved")): [
                    None if r is None else round(100 * r, 1) for r in n.auto_rate_per_day
                ]
            },
            y_range=(0, 100),
            x_label_rotation=-45 if days > 14 else 0,
        ),
        "chart_backlog": charts.bar_chart(
            title=str(_("Backlog by waiting time")),
            labels=[label for _bound, label in AGE_BUCKETS],
            series={str(_("Cases in review")): n.backlog_by_age},
            colors=["#b45309"],
        ),
        "chart_warnings": charts.bar_chart(
            title=str(_("OCR warnings by code (cases)")),
            labels=[
                f"{code} {explain_warning(code).title(language=lang)}" for code, _n in n.warnings_by_code
            ],
            series={str(_("Cases")): [count for _code, count in n.warnings_by_code]},
            colors=["#b45309"],
            horizontal=True,
            height=max(220, 40 * len(n.warnings_by_code) + 120),
        ),
        "chart_decision_time": charts.line_chart(
            title=str(_("Median hours from submission to a reviewer's decision")),
            labels=labels,
            series={
                str(_("Median hours")): [
                    None if h is None else round(h, 1) for h in n.median_decision_per_day
                ]
            },
            x_label_rotation=-45 if days > 14 else 0,
        ),
    }
    return render(request, "review/numbers.html", context)


# --- the case page and decisions -----------------------------------------------------------------

# "Show full data" unmasks the next view of the case page only: one audit event per view of it.
UNMASK_SESSION_KEY = "review_unmasked"


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, type=ActorType.REVIEWER)


def _case_page(
    request: HttpRequest,
    verification: Verification,
    *,
    forms: dict[str, Any] | None = None,
    unmasked: bool = False,
    status: int = 200,
) -> HttpResponse:
    case = build_case_file(verification=verification, unmasked=unmasked, language=_language())
    initial = {"expected_version": verification.version}
    forms = forms or {}
    now = timezone.now()
    claim_live = verification.claimed_by_id is not None and (verification.claim_expires_at or now) > now
    return render(
        request,
        "review/case.html",
        {
            "nav": "queue",
            "case": case,
            "v": verification,
            "now": now,
            "claim_live": claim_live,
            "claimed_by_me": claim_live and verification.claimed_by_id == request.user.pk,
            "can_decide": can_decide(request.user),
            "can_view_pii": can_view_personal_data(request.user),
            "owner": owner_label(verification, unmasked=unmasked),
            "approve_form": forms.get("approve") or ApproveForm(initial=initial),
            "reject_form": forms.get("reject") or RejectForm(initial=initial),
            "resubmit_form": forms.get("resubmit") or ResubmitForm(initial=initial),
            "resubmit_presets": resubmit_presets(),
            "open_form": next(iter(forms), ""),
        },
        status=status,
    )


@require_GET
@reviewer_required
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """Evidence, explanations, history and the decision forms of one case."""
    verification = verification_get(public_id=public_id)
    unmask = request.session.get(UNMASK_SESSION_KEY)
    unmasked = unmask == str(verification.public_id) and can_view_personal_data(request.user)
    if unmask:
        del request.session[UNMASK_SESSION_KEY]
    return _case_page(request, verification, unmasked=unmasked)


@require_POST
@reviewer_required
def reveal(request: HttpRequest, public_id: str) -> HttpResponse:
    """Audit that the reviewer asked for the full data, then show the case once, unmasked."""
    if not can_view_personal_data(request.user):
        raise PermissionDenied("Viewing personal data needs kyc.view_personal_data.")
    verification = verification_get(public_id=public_id)
    verification_record_pii_access(
        verification=verification, actor=_actor(request), fields=[str(f) for f in FieldName.values]
    )
    request.session[UNMASK_SESSION_KEY] = str(verification.public_id)
    return redirect("review:case", public_id=verification.public_id)


def _refused(request: HttpRequest, public_id: str, exc: ApplicationError) -> HttpResponse:
    """Explain why a claim or decision did not go through, then show the case as it is now."""
    verification = verification_get(public_id=public_id)
    if exc.code in ("conflict", "decided", "wrong_state") and verification.state != State.IN_REVIEW:
        who = verification.decided_by.get_username() if verification.decided_by else _("someone else")
        messages.error(
            request,
            _("Someone else decided this case: %(who)s set it to “%(state)s”. Your decision was not saved.")
            % {"who": who, "state": State(verification.state).label},
        )
    elif exc.code == "claimed":
        who = verification.claimed_by.get_username() if verification.claimed_by else _("another reviewer")
        messages.error(request, _("%(who)s is working on this case; it was not changed.") % {"who": who})
    elif exc.code == "conflict":
        messages.error(
            request,
            _("Someone else changed this case while you were looking at it. Check it again before deciding."),
        )
    else:
        messages.error(request, exc.message)
    return redirect("review:case", public_id=verification.public_id)


def _expected_version(request: HttpRequest) -> int | None:
    form = DecisionForm(request.POST)
    return form.cleaned_data["expected_version"] if form.is_valid() else None


@require_POST
@decider_required
def claim(request: HttpRequest, public_id: str) -> HttpResponse:
    """Take the case for KYC_CLAIM_MINUTES so no one else works on it meanwhile."""
    verification = verification_get(public_id=public_id)
    version = _expected_version(request) or verification.version
    try:
        verification_claim(verification=verification, actor=_actor(request), expected_version=version)
    except ApplicationError as exc:
        return _refused(request, public_id, exc)
    return redirect("review:case", public_id=verification.public_id)


@require_POST
@decider_required
def release(request: HttpRequest, public_id: str) -> HttpResponse:
    """Give the case back to the queue."""
    verification = verification_get(public_id=public_id)
    version = _expected_version(request) or verification.version
    try:
        verification_release(verification=verification, actor=_actor(request), expected_version=version)
    except ApplicationError as exc:
        return _refused(request, public_id, exc)
    messages.success(request, _("The case is back in the queue."))
    return redirect("review:queue")


def _decide(
    request: HttpRequest,
    public_id: str,
    *,
    form_class: type[Form],
    form_name: str,
    decide: Callable[[Verification, Actor, dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """The one path of every decision: validate its form, call its service, report the outcome."""
    verification = verification_get(public_id=public_id)
    form = form_class(request.POST)
    if not form.is_valid():
        return _case_page(request, verification, forms={form_name: form}, status=400)
    try:
        decide(verification, _actor(request), form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, public_id, exc)
    messages.success(request, success % {"id": str(verification.public_id)[:8]})
    return redirect("review:queue")


@require_POST
@decider_required
def approve(request: HttpRequest, public_id: str) -> HttpResponse:
    return _decide(
        request,
        public_id,
        form_class=ApproveForm,
        form_name="approve",
        decide=lambda verification, actor, data: verification_approve(
            verification=verification,
            actor=actor,
            expected_version=data["expected_version"],
            note=data["note"],
        ),
        success=_("Case %(id)s approved."),
    )


@require_POST
@decider_required
def reject(request: HttpRequest, public_id: str) -> HttpResponse:
    return _decide(
        request,
        public_id,
        form_class=RejectForm,
        form_name="reject",
        decide=lambda verification, actor, data: verification_reject(
            verification=verification,
            actor=actor,
            expected_version=data["expected_version"],
            reason_codes=data["reason_codes"],
            note=data["note"],
        ),
        success=_("Case %(id)s rejected."),
    )


@require_POST
@decider_required
def request_resubmission(request: HttpRequest, public_id: str) -> HttpResponse:
    return _decide(
        request,
        public_id,
        form_class=ResubmitForm,
        form_name="resubmit",
        decide=lambda verification, actor, data: verification_request_resubmission(
            verification=verification,
            actor=actor,
            expected_version=data["expected_version"],
            sides=data["sides"],
            reason=data["reason"],
        ),
        success=_("New photos requested for case %(id)s."),
    )
