"""POST/GET /api/v1/verifications: open cases with both photos, read them back (own cases only)."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from onboarding.kyc.models import State, Verification
from onboarding.partners import services, verification_selectors
from onboarding.partners.api.base import UPLOAD_PARSERS, PartnerAPIView, error_responses
from onboarding.partners.api.pagination import VerificationCursorPagination
from onboarding.partners.api.verification_serializers import (
    VerificationAcceptedSerializer,
    VerificationDetailSerializer,
    VerificationJsonSerializer,
    VerificationMultipartSerializer,
    VerificationSummarySerializer,
)
from onboarding.partners.models import Scope
from onboarding.partners.verifications import (
    CardPhoto,
    partner_record_pii_access,
    partner_verification_create,
)

TAG = ["verifications"]
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description=(
        "Any unique string (a UUID) per intended request. A retry with the same key and content gets the "
        "first answer again (header Idempotent-Replayed: true); other content with the same key is a 409."
    ),
)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class VerificationListCreateView(PartnerAPIView, generics.ListAPIView[Verification]):
    required_scopes: ClassVar[dict[str, str]] = {
        "GET": Scope.VERIFICATIONS_READ.value,
        "POST": Scope.VERIFICATIONS_WRITE.value,
    }
    parser_classes = UPLOAD_PARSERS
    serializer_class = VerificationSummarySerializer
    pagination_class = VerificationCursorPagination

    def get_queryset(self) -> QuerySet[Verification]:
        params = self.request.query_params
        return verification_selectors.partner_verification_list(
            partner=self.partner,
            state=params.get("state", ""),
            external_ref=params.get("external_ref", ""),
            created_after=params.get("created_after", ""),
            created_before=params.get("created_before", ""),
        )

    @extend_schema(
        tags=TAG,
        summary="List your verifications",
        description="Newest first, cursor-paged (follow `next`).",
        parameters=[
            OpenApiParameter("state", str, enum=State.values),
            OpenApiParameter("external_ref", str),
            OpenApiParameter("created_after", str, description="ISO 8601 date-time, inclusive."),
            OpenApiParameter("created_before", str, description="ISO 8601 date-time, exclusive."),
        ],
        responses={200: VerificationSummarySerializer(many=True), **error_responses()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        summary="Submit both sides of a card for verification",
        description=(
            "Multipart (`front`, `back` files) or JSON (`front_base64`, `back_base64`). Answers 202 at once; "
            "the photos are read in the background (webhook verification.completed, or poll the case)."
        ),
        parameters=[IDEMPOTENCY_HEADER],
        request={
            "multipart/form-data": VerificationMultipartSerializer,
            "application/json": VerificationJsonSerializer,
        },
        responses={202: VerificationAcceptedSerializer, **error_responses(409, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        is_multipart = (request.content_type or "").startswith(("multipart/", "application/x-www-form"))
        serializer_class = VerificationMultipartSerializer if is_multipart else VerificationJsonSerializer
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if is_multipart:
            front = CardPhoto(content=data["front"].read(), filename=data["front"].name or "front")
            back = CardPhoto(content=data["back"].read(), filename=data["back"].name or "back")
        else:
            front = CardPhoto(content=data["front_base64"], filename="front")
            back = CardPhoto(content=data["back_base64"], filename="back")
        claims = {"Name": data["name"].strip(), "IdNum": data["id_number"].strip().upper()}

        def create() -> tuple[int, Any]:
            verification = partner_verification_create(
                partner=self.partner,
                api_key=self.api_key,
                front=front,
                back=back,
                external_ref=data["external_ref"],
                claims=claims,
                actor=self.actor(request),
            )
            # Without a broker the OCR has run already; the answer says where the case is now.
            if settings.CELERY_TASK_ALWAYS_EAGER:
                verification.refresh_from_db()
            body = VerificationAcceptedSerializer(
                {
                    "id": verification.public_id,
                    "state": verification.state,
                    "external_ref": verification.external_ref,
                    "created_at": verification.created,
                }
            ).data
            return status.HTTP_202_ACCEPTED, body

        result = services.idempotent_call(
            partner=self.partner,
            key=request.headers.get("Idempotency-Key"),
            operation="verification.create",
            content={
                "front": _sha256(front.content),
                "back": _sha256(back.content),
                "external_ref": data["external_ref"],
                "claims": claims,
            },
            run=create,
        )
        return self._answer(result.response, status_code=result.status_code, replayed=result.replayed)

    def _answer(self, body: Any, *, status_code: int, replayed: bool) -> Response:
        response = Response(body, status=status_code)
        if isinstance(body, dict) and body.get("id"):
            response["Location"] = reverse("partners:verification-detail", args=[body["id"]])
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class VerificationDetailView(PartnerAPIView):
    required_scopes: ClassVar[dict[str, str]] = {"GET": Scope.VERIFICATIONS_READ.value}

    @extend_schema(
        tags=TAG,
        summary="Get one of your verifications",
        description="Fields are masked unless the key has the pii:read scope. Other partners' cases are 404.",
        responses={200: VerificationDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, verification_id: str) -> Response:
        masked = not self.api_key.has_scope(Scope.PII_READ.value)
        verification = verification_selectors.partner_verification_get(
            partner=self.partner, verification_id=verification_id
        )
        if verification is None:
            raise NotFound("No such verification.")
        detail = verification_selectors.partner_verification_detail(verification=verification, masked=masked)
        if not masked and detail["fields"] is not None:
            partner_record_pii_access(verification=verification, actor=self.actor(request))
        return Response(VerificationDetailSerializer(detail).data)
