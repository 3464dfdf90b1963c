"""Webhook endpoints (CRUD, secret rotation) and deliveries (log, replay) for the calling partner."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from onboarding.partners import selectors, webhooks
from onboarding.partners.api.base import PartnerAPIView, error_responses
from onboarding.partners.api.pagination import NewestFirstCursorPagination
from onboarding.partners.api.webhook_serializers import (
    WebhookDeliveryDetailSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookEndpointWithSecretSerializer,
    WebhookSecretSerializer,
)
from onboarding.partners.models import DeliveryStatus, Scope, WebhookDelivery, WebhookEndpoint

_SCOPE = Scope.WEBHOOKS.value
TAG = ["webhooks"]


class WebhookEndpointListView(PartnerAPIView, generics.ListAPIView[WebhookEndpoint]):
    required_scopes: ClassVar[dict[str, str]] = {"GET": _SCOPE, "POST": _SCOPE}
    serializer_class = WebhookEndpointSerializer
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.webhook_endpoint_list(partner=self.partner)

    @extend_schema(
        tags=TAG,
        summary="List webhook endpoints",
        responses={200: WebhookEndpointSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        summary="Register a webhook endpoint",
        description="The answer holds the signing secret, once.",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, **error_responses()},
    )
    def post(self, request: Request) -> Response:
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = webhooks.webhook_endpoint_create(partner=self.partner, **serializer.validated_data)
        endpoint.secret = secret
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(PartnerAPIView):
    required_scopes: ClassVar[dict[str, str]] = {"GET": _SCOPE, "PATCH": _SCOPE, "DELETE": _SCOPE}

    def _endpoint(self, endpoint_id: str) -> WebhookEndpoint:
        endpoint = selectors.webhook_endpoint_get(partner=self.partner, endpoint_id=endpoint_id)
        if endpoint is None:
            raise NotFound("No such webhook endpoint.")
        return endpoint

    @extend_schema(
        tags=TAG,
        summary="Get a webhook endpoint",
        responses={200: WebhookEndpointSerializer, **error_responses(404)},
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        return Response(WebhookEndpointSerializer(self._endpoint(endpoint_id)).data)

    @extend_schema(
        tags=TAG,
        summary="Change a webhook endpoint",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **error_responses(404)},
    )
    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = self._endpoint(endpoint_id)
        serializer = WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        tags=TAG, summary="Delete a webhook endpoint", responses={204: None, **error_responses(404)}
    )
    def delete(self, request: Request, endpoint_id: str) -> Response:
        webhooks.webhook_endpoint_delete(endpoint=self._endpoint(endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecretView(WebhookEndpointDetailView):
    required_scopes: ClassVar[dict[str, str]] = {"POST": _SCOPE}
    http_method_names = ("post", "options")

    @extend_schema(
        tags=TAG,
        summary="Rotate an endpoint's signing secret",
        request=None,
        responses={200: WebhookSecretSerializer, **error_responses(404)},
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        secret = webhooks.webhook_endpoint_rotate_secret(endpoint=self._endpoint(endpoint_id))
        return Response({"secret": secret})


class WebhookDeliveryListView(PartnerAPIView, generics.ListAPIView[WebhookDelivery]):
    required_scopes: ClassVar[dict[str, str]] = {"GET": _SCOPE}
    serializer_class = WebhookDeliverySerializer
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        params = self.request.query_params
        endpoint = None
        if params.get("endpoint"):
            endpoint = selectors.webhook_endpoint_get(partner=self.partner, endpoint_id=params["endpoint"])
            if endpoint is None:
                return WebhookDelivery.objects.none()
        status_filter = params.get("status", "")
        if status_filter and status_filter not in DeliveryStatus.values:
            return WebhookDelivery.objects.none()
        return selectors.webhook_delivery_list(
            partner=self.partner,
            endpoint=endpoint,
            status=status_filter,
            verification_id=params.get("verification_id", ""),
        )

    @extend_schema(
        tags=TAG,
        summary="List webhook deliveries",
        description="Every delivery with its status, attempt count, next attempt and last error; newest first.",
        parameters=[
            OpenApiParameter("endpoint", str, description="Only this endpoint's deliveries (its id)."),
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
            OpenApiParameter("verification_id", str),
        ],
        responses={200: WebhookDeliverySerializer(many=True), **error_responses()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class WebhookDeliveryDetailView(PartnerAPIView):
    required_scopes: ClassVar[dict[str, str]] = {"GET": _SCOPE}

    def _delivery(self, delivery_id: str) -> WebhookDelivery:
        delivery = selectors.webhook_delivery_get(partner=self.partner, delivery_id=delivery_id)
        if delivery is None:
            raise NotFound("No such webhook delivery.")
        return delivery

    @extend_schema(
        tags=TAG,
        summary="Get a delivery with its payload and every attempt",
        responses={200: WebhookDeliveryDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, delivery_id: str) -> Response:
        return Response(WebhookDeliveryDetailSerializer(self._delivery(delivery_id)).data)


class WebhookDeliveryReplayView(WebhookDeliveryDetailView):
    required_scopes: ClassVar[dict[str, str]] = {"POST": _SCOPE}
    http_method_names = ("post", "options")

    @extend_schema(
        tags=TAG,
        summary="Replay a delivery",
        description="Sends the same event (same event id and body, fresh signature) again as a new delivery.",
        request=None,
        responses={202: WebhookDeliverySerializer, **error_responses(404)},
    )
    def post(self, request: Request, delivery_id: str) -> Response:
        replay = webhooks.webhook_delivery_replay(delivery=self._delivery(delivery_id))
        replay.refresh_from_db()  # without a broker the first attempt has run already
        return Response(WebhookDeliverySerializer(replay).data, status=status.HTTP_202_ACCEPTED)
