"""Serializers of the webhook endpoints and deliveries API."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from onboarding.partners.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = WebhookEndpoint
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "created_at",
            "updated_at",
        )
        read_only_fields: ClassVar[tuple[str, ...]] = fields


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The signing secret. Shown only now; store it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields: ClassVar[tuple[str, ...]] = (*WebhookEndpointSerializer.Meta.fields, "secret")
        read_only_fields: ClassVar[tuple[str, ...]] = fields


class WebhookEndpointCreateSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(max_length=500, help_text="https:// only.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        required=False,
        allow_empty=False,
        help_text="Default: every event.",
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookEndpointUpdateSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False, allow_empty=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class WebhookSecretSerializer(serializers.Serializer[Any]):
    secret = serializers.CharField()


class WebhookAttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt
        fields: ClassVar[tuple[str, ...]] = (
            "number",
            "at",
            "status_code",
            "error",
            "duration_ms",
            "response_excerpt",
        )
        read_only_fields: ClassVar[tuple[str, ...]] = fields


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    endpoint_id = serializers.UUIDField(read_only=True)
    replay_of = serializers.UUIDField(source="replay_of_id", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    event_type = serializers.ChoiceField(choices=WebhookEvent.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "endpoint_id",
            "event_id",
            "event_type",
            "verification_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "replay_of",
            "created_at",
        )
        read_only_fields: ClassVar[tuple[str, ...]] = fields


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.JSONField(source="payload_json", read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields: ClassVar[tuple[str, ...]] = (*WebhookDeliverySerializer.Meta.fields, "payload", "attempt_log")
        read_only_fields: ClassVar[tuple[str, ...]] = fields
