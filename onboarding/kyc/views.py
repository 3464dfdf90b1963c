"""Card images and crops, streamed only to the case's owner or to staff allowed to see personal data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onboarding.kyc import services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import ActorType, Side, Verification
from onboarding.kyc.selectors import verification_current_images, verification_latest_reads

VARIANTS = ("original", "card", "portrait")


@require_GET
@never_cache
@login_required
def card_image(request: HttpRequest, public_id: str, side: str, variant: str) -> HttpResponseBase:
    """The photo (or its card/portrait crop) of one side; 404 for anyone without access."""
    side = side.upper()
    if side not in Side.values or variant not in VARIANTS:
        raise Http404
    verification = Verification.objects.filter(public_id=public_id).first()
    if verification is None:
        raise Http404
    is_owner = verification.user_id is not None and verification.user_id == request.user.pk
    if not is_owner and not request.user.has_perm("kyc.view_personal_data"):
        raise Http404  # same answer as a missing case: no hint that it exists

    if variant == "original":
        image = verification_current_images(verification=verification).get(side)
        file = image.file if image is not None else None
        content_type = image.content_type if image is not None else "image/jpeg"
        if image is not None and image.purged_at is not None:
            return HttpResponse(status=410)
    else:
        read = verification_latest_reads(verification=verification).get(side)
        file = (read.card_crop if variant == "card" else read.portrait_crop) if read is not None else None
        content_type = "image/jpeg"
    if not file:
        raise Http404

    if not is_owner:
        services.verification_record_pii_access(
            verification=verification,
            actor=Actor.from_request(request, type=ActorType.REVIEWER),
            fields=[f"image:{side}:{variant}"],
        )
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
