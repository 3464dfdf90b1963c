"""The OpenAPI schema: served, valid, and the API keeps to it under schemathesis (no 5xx, conforming answers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks as st_checks

from .conftest import PartnerKey

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
]


@pytest.fixture
def _keep_the_test_connection() -> Iterator[None]:
    # schemathesis drives the WSGI app directly; like Django's test client, keep the request signals from
    # closing the connection that holds the test's transaction (PostgreSQL would lose it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_the_api_keeps_to_its_schema(acme: PartnerKey, settings: Any) -> None:
    """A few generated requests per operation (bounded, derandomized): never a 5xx, every answer as documented."""
    # schemathesis' own pytest plugin does not run under pytest 9.2, so the operations are driven here.
    settings.PARTNER_API_RATE_LIMIT_PER_SECOND = 100_000  # the throttle has its own tests
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    headers = {"Authorization": f"Bearer {acme.key}"}
    called: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
            called.append(case.operation.label)

        check()
    assert {op.label for op in operations} == set(called)


def test_it_serves_the_schema_and_docs_without_a_cdn(db: None) -> None:
    browser = Client()
    spec = browser.get("/api/schema/?format=json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/v1/verifications", "/api/v1/verifications/{verification_id}", "/api/v1/ocr/idcard"} <= set(
        paths
    )
    assert "Idempotency-Key" in {p["name"] for p in paths["/api/v1/verifications"]["post"]["parameters"]}
    assert spec.json()["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    for page in ("/api/docs/", "/api/redoc/"):
        html = browser.get(page).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html and "unpkg" not in html
