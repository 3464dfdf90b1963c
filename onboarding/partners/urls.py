"""The partner REST API, mounted at /api/v1/."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from onboarding.partners.api import ocr_views, verification_views, webhook_views
from onboarding.partners.api.not_found import api_not_found

app_name = "partners"

urlpatterns: list[URLPattern] = [
    path(
        "verifications",
        verification_views.VerificationListCreateView.as_view(),
        name="verification-list",
    ),
    path(
        "verifications/<str:verification_id>",
        verification_views.VerificationDetailView.as_view(),
        name="verification-detail",
    ),
    path("ocr/idcard", ocr_views.OcrIdCardView.as_view(), name="ocr-idcard"),
    path(
        "webhooks/endpoints",
        webhook_views.WebhookEndpointListView.as_view(),
        name="webhook-endpoint-list",
    ),
    path(
        "webhooks/endpoints/<str:endpoint_id>",
        webhook_views.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhooks/endpoints/<str:endpoint_id>/rotate-secret",
        webhook_views.WebhookEndpointRotateSecretView.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhooks/deliveries",
        webhook_views.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        "webhooks/deliveries/<str:delivery_id>",
        webhook_views.WebhookDeliveryDetailView.as_view(),
        name="webhook-delivery-detail",
    ),
    path(
        "webhooks/deliveries/<str:delivery_id>/replay",
        webhook_views.WebhookDeliveryReplayView.as_view(),
        name="webhook-delivery-replay",
    ),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not an HTML page.
    re_path(r"^.*$", api_not_found, name="not-found"),
]
