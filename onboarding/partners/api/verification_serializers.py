"""Serializers of the verifications API (requests in, our JSON style out)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from onboarding.kyc.models import State
from onboarding.partners.api.fields import Base64ImageField, CardFieldsSerializer, WarningSerializer


class _VerificationInput(serializers.Serializer[Any]):
    external_ref = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your reference (e.g. your user id).",
    )
    name = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The name your user gave, to cross-check.",
    )
    id_number = serializers.CharField(
        max_length=18, required=False, allow_blank=True, default="", help_text="The ID number your user gave."
    )


class VerificationMultipartSerializer(_VerificationInput):
    front = serializers.FileField(help_text="Photo of the portrait side (JPEG or PNG).")
    back = serializers.FileField(help_text="Photo of the national-emblem side (JPEG or PNG).")


class VerificationJsonSerializer(_VerificationInput):
    front_base64 = Base64ImageField(help_text="Portrait side, JPEG or PNG, Base64.")
    back_base64 = Base64ImageField(help_text="National-emblem side, JPEG or PNG, Base64.")


class VerificationAcceptedSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=State.choices)
    external_ref = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class DecisionSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=["approved", "rejected"])
    automatic = serializers.BooleanField(help_text="True when the rules approved it without a person.")
    decided_at = serializers.DateTimeField(allow_null=True)
    reason_codes = serializers.ListField(child=serializers.CharField())


class FindingSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning", "info"])
    field = serializers.CharField(allow_null=True, help_text="Our field name, or null for the whole case.")
    side = serializers.CharField(allow_null=True)
    # The serializer metaclass pops declared fields off the class, so this does not shadow Field.source
    # at run time; the stubs cannot know that.
    source = serializers.CharField()  # type: ignore[assignment]
    message = serializers.CharField()
    message_zh = serializers.CharField()


class SideWarningSerializer(WarningSerializer):
    side = serializers.CharField()


class InputRequestSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    sides = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()
    message_zh = serializers.CharField()


class CrossCheckSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    matches = serializers.BooleanField()


class VerificationSummarySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    state = serializers.ChoiceField(choices=State.choices)
    external_ref = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField(source="created")
    updated_at = serializers.DateTimeField(source="updated")
    decided_at = serializers.DateTimeField(allow_null=True)


class VerificationDetailSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=State.choices)
    external_ref = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    pii_masked = serializers.BooleanField(help_text="True unless the key has the pii:read scope.")
    # A declared field named "fields" is popped off the class by the serializer metaclass, so it does
    # not replace Serializer.fields at run time; the stubs cannot know that.
    fields = CardFieldsSerializer(  # type: ignore[assignment]
        allow_null=True, help_text="null until the photos have been read."
    )
    findings = FindingSerializer(many=True)
    warnings = SideWarningSerializer(many=True)
    input_request = InputRequestSerializer(
        allow_null=True, help_text="Set when new photos are needed (the photos could not be read)."
    )
    decision = DecisionSerializer(allow_null=True)
    cross_check = CrossCheckSerializer(
        many=True, help_text="For each value you sent (name, id_number): does the card say the same?"
    )
