"""POST /api/v1/ocr/idcard: synchronous OCR of one image, answered in our JSON style."""

from __future__ import annotations

import base64
from typing import Any, ClassVar

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from onboarding.kyc.images import sniff_image
from onboarding.ocr.backends import get_backend
from onboarding.ocr.engine.types import CardConfig, CardSide
from onboarding.partners.api.base import UPLOAD_PARSERS, PartnerAPIView, error_responses
from onboarding.partners.api.fields import (
    FIELD_NAMES,
    Base64ImageField,
    CardFieldsSerializer,
    WarningSerializer,
    card_fields,
    warning_json,
)
from onboarding.partners.models import Scope


class _OcrOptions(serializers.Serializer[Any]):
    side = serializers.ChoiceField(
        choices=[s.value for s in CardSide], required=False, help_text="Omit to detect the side."
    )
    warnings = serializers.BooleanField(
        default=True,
        help_text="Check for copies, screen photos, edits, glare, cut-off borders, temporary cards, expiry.",
    )
    quality = serializers.BooleanField(default=False, help_text="Score the image's quality 0-100.")
    crop_card = serializers.BooleanField(
        default=False, help_text="Return the straightened card as JPEG Base64."
    )
    crop_portrait = serializers.BooleanField(default=False, help_text="Return the portrait as JPEG Base64.")


class OcrMultipartSerializer(_OcrOptions):
    image = serializers.FileField(help_text="JPEG or PNG photo of one side of the card.")


class OcrJsonSerializer(_OcrOptions):
    image_base64 = Base64ImageField()


class OcrResultSerializer(serializers.Serializer[Any]):
    request_id = serializers.CharField()
    side = serializers.ChoiceField(choices=[s.value for s in CardSide])
    # Popped off the class by the serializer metaclass (Serializer.fields stays); the stubs cannot know that.
    fields = CardFieldsSerializer()  # type: ignore[assignment]
    confidence = serializers.DictField(
        child=serializers.FloatField(), help_text="Per field read, 0-1 (the validity period is valid_period)."
    )
    warnings = WarningSerializer(many=True)
    quality = serializers.IntegerField(allow_null=True)
    card_image_base64 = serializers.CharField(allow_null=True)
    portrait_image_base64 = serializers.CharField(allow_null=True)
    elapsed_ms = serializers.FloatField()


def _config(options: dict[str, Any]) -> CardConfig:
    warn = bool(options["warnings"])
    return CardConfig(
        crop_id_card=bool(options["crop_card"]),
        crop_portrait=bool(options["crop_portrait"]),
        copy_warn=warn,
        border_check_warn=warn,
        reshoot_warn=warn,
        detect_ps_warn=warn,
        temp_id_warn=warn,
        invalid_date_warn=warn,
        reflect_warn=warn,
        quality=bool(options["quality"]),
    )


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data else None


class OcrIdCardView(PartnerAPIView):
    required_scopes: ClassVar[dict[str, str]] = {"POST": Scope.OCR.value}
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        tags=["ocr"],
        summary="Read one side of an ID card now",
        description=(
            "Synchronous OCR of one image, as multipart (`image`) or JSON (`image_base64`). "
            "Nothing is stored. For the Tencent IDCardOCR contract itself, use the API 3.0 endpoint at /."
        ),
        request={"multipart/form-data": OcrMultipartSerializer, "application/json": OcrJsonSerializer},
        responses={200: OcrResultSerializer, **error_responses(413, 415, 422, 503)},
    )
    def post(self, request: Request) -> Response:
        is_multipart = (request.content_type or "").startswith(("multipart/", "application/x-www-form"))
        serializer_class = OcrMultipartSerializer if is_multipart else OcrJsonSerializer
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image: bytes = data["image"].read() if is_multipart else data["image_base64"]
        # JPEG/PNG within the size and pixel limits, judged from the bytes, before the engine sees them.
        sniff_image(image, max_bytes=settings.KYC_MAX_UPLOAD_BYTES, max_pixels=settings.KYC_MAX_UPLOAD_PIXELS)
        side = CardSide(data["side"]) if data.get("side") else None
        result = get_backend().recognize(image, side=side, config=_config(data))
        contract_values = result.fields.as_contract()
        body = {
            "request_id": result.request_id,
            "side": result.side.value,
            "fields": card_fields(contract_values, masked=False),
            "confidence": {
                FIELD_NAMES[k]: round(v, 4) for k, v in result.confidence.items() if k in FIELD_NAMES
            },
            "warnings": [warning_json(code) for code in result.warnings],
            "quality": result.quality,
            "card_image_base64": _b64(result.card_jpeg),
            "portrait_image_base64": _b64(result.portrait_jpeg),
            "elapsed_ms": round(result.elapsed_ms, 1),
        }
        return Response(body)
