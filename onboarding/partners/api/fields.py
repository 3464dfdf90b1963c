"""Serializer fields of the card JSON style (see lib/card_json.py), and Base64 image input."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from django.conf import settings
from rest_framework import serializers

from onboarding.partners.lib.card_json import FIELD_NAMES, card_fields, warning_json

__all__ = [
    "FIELD_NAMES",
    "Base64ImageField",
    "CardFieldsSerializer",
    "WarningSerializer",
    "card_fields",
    "warning_json",
]

_DATA_URI = re.compile(r"^data:image/[a-zA-Z0-9.+-]+;base64,")
_WHITESPACE = re.compile(r"\s+")


class CardFieldsSerializer(serializers.Serializer[Any]):
    """Documents card_fields() for the schema."""

    name = serializers.CharField(allow_null=True)
    sex = serializers.CharField(allow_null=True)
    nation = serializers.CharField(allow_null=True)
    birth_date = serializers.CharField(
        allow_null=True, help_text="YYYY-MM-DD (as printed when unparseable); masked as YYYY-**-**."
    )
    address = serializers.CharField(allow_null=True)
    id_number = serializers.CharField(allow_null=True)
    issuing_authority = serializers.CharField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True, help_text="null for long-term (长期) cards.")
    valid_long_term = serializers.BooleanField(allow_null=True)
    valid_period_text = serializers.CharField(allow_null=True, help_text="As printed: 2010.07.21-2020.07.21.")


class WarningSerializer(serializers.Serializer[Any]):
    code = serializers.IntegerField(help_text="The IDCardOCR WarnInfos code, e.g. -9103.")
    name = serializers.CharField(help_text="reshoot, copy, border_incomplete, ps_edited …")


class Base64ImageField(serializers.CharField):
    """An image as Base64 (a data: URI prefix and whitespace tolerated), validated to bytes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "JPEG or PNG, Base64-encoded.")
        super().__init__(trim_whitespace=True, **kwargs)

    def to_internal_value(self, data: Any) -> bytes:  # type: ignore[override]
        text = super().to_internal_value(data)
        limit = settings.KYC_MAX_UPLOAD_BYTES
        if len(text) > limit * 4 // 3 + 8:
            raise serializers.ValidationError(
                f"The image is larger than {limit} bytes.", code="image_too_large"
            )
        cleaned = _WHITESPACE.sub("", _DATA_URI.sub("", text, count=1))
        try:
            content = base64.b64decode(cleaned, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not valid Base64.", code="invalid_base64") from None
        if not content:
            raise serializers.ValidationError("The image is empty.", code="image_empty")
        return content
