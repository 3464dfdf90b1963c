"""End-user pages: account, upload of both sides, the prefilled form, and the status of a verification.

Views stay thin: forms parse input, ``onboarding.kyc`` services write, selectors and presenters read.
Personal data stays out of URLs (cases are addressed by their random public id) and out of logs.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc import selectors, services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import FieldName, Side, State, Verification
from onboarding.kyc.states import IMAGE_EDITABLE_STATES
from onboarding.ocr.engine.types import CardSide
from onboarding.registration import presenters
from onboarding.registration.forms import SignInForm, SignUpForm
from onboarding.registration.services import account_sign_up
from onboarding.registration.specimens import MAX_SEED, specimen_jpeg

# Cases a user may start again after: the previous one is over without success.
RESTARTABLE_STATES = frozenset({State.REJECTED, State.EXPIRED})


def _wants_json(request: HttpRequest) -> bool:
    """The upload script asks for JSON; a plain form post (no JavaScript) gets redirects instead."""
    xhr = request.headers.get("X-Requested-With") == "XMLHttpRequest"
    return xhr or "application/json" in request.headers.get("Accept", "")


def _own_case(request: HttpRequest, public_id: uuid.UUID) -> Verification:
    """The signed-in user's case; anyone else's is a 404 exactly like a missing one."""
    return selectors.verification_get_for_user(user=request.user, public_id=public_id)


# --- account ------------------------------------------------------------------------------------


def start(request: HttpRequest) -> HttpResponse:
    """/register/: sign up or sign in; once signed in, verify your identity (or continue a case)."""
    latest = (
        selectors.verification_latest_for_user(user=request.user) if request.user.is_authenticated else None
    )
    context = {
        "step": _step(request, latest),
        "latest": latest,
        "latest_status": presenters.status_view(latest) if latest is not None else None,
        "latest_url": presenters.next_url(latest) if latest is not None else "",
        "can_start": latest is None or latest.state in RESTARTABLE_STATES,
    }
    return render(request, "registration/start.html", context)


def _step(request: HttpRequest, latest: Verification | None) -> int:
    """Where the user is in sign up (1), photos (2), check and submit (3), done (4)."""
    if not request.user.is_authenticated:
        return 1
    if latest is None or latest.state in RESTARTABLE_STATES:
        return 2
    if latest.state == State.NEEDS_INPUT and not latest.input_request:
        return 3
    if latest.state in (State.DRAFT, State.PROCESSING, State.NEEDS_INPUT, State.RESUBMISSION_REQUESTED):
        return 2
    return 4


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("registration:start")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_sign_up(
                identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password1"]
            )
        except ApplicationError:
            # Two sign-ups raced for the same identifier; the form's own check covers the usual case.
            form.add_error("identifier", _("该手机号或邮箱已注册，请直接登录。"))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("registration:start")
    return render(request, "registration/signup.html", {"form": form})


class SignInView(LoginView):
    template_name = "registration/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    next_page = "registration:start"


class SignOutView(LogoutView):
    next_page = "registration:start"


# --- the verification ---------------------------------------------------------------------------


@require_POST
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Open a case (or go back to the open one) and show the upload page."""
    latest = selectors.verification_latest_for_user(user=request.user)
    if latest is not None and latest.state not in RESTARTABLE_STATES:
        return redirect(presenters.next_url(latest))
    user_pk = request.user.pk
    assert user_pk is not None  # login_required: the user is signed in
    try:
        # The service locks the user's row through type(user), which a lazy request.user hides.
        owner = get_user_model().objects.get(pk=user_pk)
        verification = services.verification_start(user=owner, actor=Actor.from_request(request))
    except ApplicationError as error:
        if error.code == "too_many_attempts":
            messages.error(request, _("今天的核验次数已达上限，请明天再试。"))
        else:
            messages.error(request, _("暂时无法开始核验，请稍后再试。"))
        return redirect("registration:start")
    return redirect("registration:upload", public_id=verification.public_id)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Pick or photograph both sides; the script posts them here and then polls ``progress``."""
    verification = _own_case(request, public_id)
    if request.method == "POST":
        return _receive_photos(request, verification)
    if verification.state not in IMAGE_EDITABLE_STATES and verification.state != State.PROCESSING:
        return redirect(presenters.next_url(verification))
    required = presenters.required_sides(verification)
    reasons = presenters.retake_messages(verification)
    current = selectors.verification_current_images(verification=verification)
    seed = secrets.randbelow(MAX_SEED)
    slots = [
        {
            "side": side.lower(),
            "title": presenters.SIDE_TITLES[Side(side)],
            "hint": presenters.SIDE_HINTS[Side(side)],
            "required": side in required,
            "error": reasons.get(side.lower(), ""),
            "has_current": side in current,
            "specimen_url": reverse("registration:specimen", kwargs={"seed": seed, "side": side.lower()}),
        }
        for side in Side.values
    ]
    context = {
        "verification": verification,
        "slots": slots,
        "ask": presenters.ask_to_reupload(verification),
        "upload_url": reverse("registration:upload", kwargs={"public_id": verification.public_id}),
        "progress_url": reverse("registration:progress", kwargs={"public_id": verification.public_id}),
        "processing": verification.state == State.PROCESSING,
        "max_side": presenters.MAX_PHOTO_SIDE,
        "upload_text": presenters.upload_text(),
    }
    return render(request, "registration/upload.html", context)


def _photo_error(
    request: HttpRequest, verification: Verification, message: str, sides: dict[str, str]
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"failed": True, "ready": False, "message": message, "sides": sides}, status=400)
    messages.error(request, message)
    return redirect("registration:upload", public_id=verification.public_id)


def _receive_photos(request: HttpRequest, verification: Verification) -> HttpResponse:
    if verification.state not in IMAGE_EDITABLE_STATES:
        return _photo_error(request, verification, _("这次核验已不能再更换照片。"), {})
    files = {side: request.FILES.get(side.lower()) for side in Side.values}
    missing = [s for s in presenters.required_sides(verification) if files[s] is None]
    if missing:
        message = _("请上传身份证的人像面和国徽面两张照片。")
        return _photo_error(request, verification, message, {s.lower(): message for s in missing})
    actor = Actor.from_request(request)
    for side, upload in files.items():
        if upload is None:
            continue
        if upload.size is not None and upload.size > settings.KYC_MAX_UPLOAD_BYTES:
            message = presenters.image_error_message("image_too_large")
            return _photo_error(request, verification, message, {side.lower(): message})
        try:
            services.verification_attach_image(
                verification=verification,
                side=side,
                content=upload.read(),
                filename=upload.name or "",
                actor=actor,
            )
        except ApplicationError as error:
            message = presenters.image_error_message(error.code)
            return _photo_error(request, verification, message, {side.lower(): message})
    try:
        if verification.state == State.RESUBMISSION_REQUESTED:
            services.verification_resubmit(verification=verification, actor=actor)
        else:
            # With no broker the OCR task runs right here after commit; with one, a worker picks it up.
            services.verification_request_ocr(verification=verification, actor=actor)
    except ApplicationError as error:
        missing_sides = error.extra.get("sides", [])
        sides = {
            str(s).lower(): _("请重新上传这一面。")
            for s in (missing_sides if isinstance(missing_sides, list) else [])
        }
        return _photo_error(request, verification, _("请上传身份证的人像面和国徽面两张照片。"), sides)
    payload = presenters.progress_payload(verification)
    if _wants_json(request):
        return JsonResponse(payload, status=200 if payload["ready"] or payload["failed"] else 202)
    return redirect(presenters.next_url(verification))


@require_GET
@never_cache
@login_required
def progress(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    """The small JSON the upload page polls while the photos are read."""
    return JsonResponse(presenters.progress_payload(_own_case(request, public_id)))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def card_form(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The eight fields as read from the photos, editable; submit sends them to the rules."""
    verification = _own_case(request, public_id)
    if verification.state != State.NEEDS_INPUT or verification.input_request:
        return redirect(presenters.next_url(verification))
    posted: dict[str, str] | None = None
    refused: list[object] = []
    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in FieldName.values}
        try:
            services.verification_submit(
                verification=verification, fields=posted, actor=Actor.from_request(request)
            )
        except services.FieldValidationError as error:
            refused = list(error.findings)
        except ApplicationError as error:
            if error.code == "images_required":
                return redirect("registration:upload", public_id=verification.public_id)
            messages.error(request, _("提交失败，请刷新页面后重试。"))
        else:
            return redirect("registration:status", public_id=verification.public_id)
    page = presenters.form_page(verification, posted=posted, refused=refused)
    context = {
        "verification": verification,
        "rows": page.rows,
        "card_messages": page.card_messages,
        "card_has_errors": page.card_has_errors,
        "retake": page.retake,
        "retake_not_original": page.retake_not_original,
        "submitted_with_errors": bool(refused),
        "reupload_url": reverse("registration:upload", kwargs={"public_id": verification.public_id}),
    }
    return render(request, "registration/form.html", context, status=400 if refused else 200)


@require_GET
@login_required
def status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Approved, in review, please re-upload (with the reviewer's reason) or rejected."""
    verification = _own_case(request, public_id)
    if verification.state in (State.DRAFT, State.PROCESSING, State.NEEDS_INPUT):
        return redirect(presenters.next_url(verification))
    masked = {
        row["field"]: row["value"]
        for row in selectors.verification_field_rows(verification=verification, unmasked=False)
    }
    context = {
        "verification": verification,
        "status": presenters.status_view(verification),
        "masked_id_number": masked.get(FieldName.ID_NUM, ""),
        "masked_name": masked.get(FieldName.NAME, ""),
    }
    return render(request, "registration/status.html", context)


@require_GET
@login_required
def specimen(request: HttpRequest, seed: int, side: str) -> HttpResponse:
    """A drawn specimen card photo (样本) to try the flow with; the same seed gives a matching pair."""
    if seed > MAX_SEED or side not in ("front", "back"):
        raise Http404
    jpeg = specimen_jpeg(seed=seed, side=CardSide(side.upper()), today=timezone.localdate())
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Content-Disposition"] = f'attachment; filename="specimen-{seed}-{side}.jpg"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
