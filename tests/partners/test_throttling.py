"""Per-key throttling: 20 requests per second by default, then 429 with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest

from onboarding.partners.api.throttling import ApiKeyRateThrottle

from .conftest import PartnerKey

ENDPOINTS = "/api/v1/webhooks/endpoints"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self, _throttle: object = None) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # A fixed clock makes "a burst within one second" exact, however slow the machine is.
    fixed = Clock()
    monkeypatch.setattr(ApiKeyRateThrottle, "timer", fixed)
    return fixed


def test_it_allows_20_a_second_then_answers_429_with_retry_after(acme: PartnerKey, clock: Clock) -> None:
    client = acme.client()
    codes = [client.get(ENDPOINTS).status_code for _ in range(20)]
    assert codes == [200] * 20
    response = client.get(ENDPOINTS)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    body = response.json()["error"]
    assert body["code"] == "throttled"
    assert body["details"]["retry_after"] == int(response["Retry-After"])
    clock.now += 1.01
    assert client.get(ENDPOINTS).status_code == 200


def test_it_counts_each_key_on_its_own(acme: PartnerKey, globex: PartnerKey, clock: Clock) -> None:
    a, g = acme.client(), globex.client()
    for _ in range(20):
        a.get(ENDPOINTS)
    assert a.get(ENDPOINTS).status_code == 429
    assert g.get(ENDPOINTS).status_code == 200


def test_it_honours_a_lower_rate_from_settings_and_a_key_of_its_own(
    acme: PartnerKey, globex: PartnerKey, clock: Clock, settings: Any
) -> None:
    settings.PARTNER_API_RATE_LIMIT_PER_SECOND = 3
    a = acme.client()
    assert [a.get(ENDPOINTS).status_code for _ in range(4)] == [200, 200, 200, 429]
    globex.api_key.rate_limit_per_second = 5
    globex.api_key.save()
    g = globex.client()
    assert [g.get(ENDPOINTS).status_code for _ in range(6)] == [200] * 5 + [429]
