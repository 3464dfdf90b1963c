"""Webhooks: endpoint CRUD, signed deliveries checked by a real receiver, retries, the log, replay."""

from __future__ import annotations

import ipaddress
import socket
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from onboarding.partners import webhooks
from onboarding.partners.lib.signing import signature_header, verify_signature
from onboarding.partners.models import DeliveryStatus, WebhookDelivery
from onboarding.partners.tasks import deliver_due_webhooks

from .conftest import PartnerKey, Receiver

ENDPOINTS = "/api/v1/webhooks/endpoints"
DELIVERIES = "/api/v1/webhooks/deliveries"


def register(partner: PartnerKey, receiver: Receiver, **extra: Any) -> dict[str, Any]:
    response = partner.client().post(ENDPOINTS, {"url": receiver.url, **extra}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    receiver.secret = body["secret"]
    return body


def emit(
    partner: PartnerKey, django_capture_on_commit_callbacks: Any, event: str = "verification.decided"
) -> list[WebhookDelivery]:
    with django_capture_on_commit_callbacks(execute=True):
        return webhooks.webhook_event_emit(
            partner_id=partner.partner.pk,
            event=event,
            verification_id=str(uuid.uuid4()),
            data={"verification": {"state": "approved"}},
        )


def test_it_registers_an_https_endpoint_and_shows_the_secret_only_then(acme: PartnerKey) -> None:
    client = acme.client()
    created = client.post(ENDPOINTS, {"url": "https://hooks.example.com/kyc"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["verification.completed", "verification.decided"]
    shown = client.get(f"{ENDPOINTS}/{body['id']}").json()
    assert "secret" not in shown
    assert shown["url"] == "https://hooks.example.com/kyc"
    listed = client.get(ENDPOINTS).json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/kyc",
        "http://127.0.0.1:9/hook",
        "https://10.0.0.5/hook",
        "https://localhost/x",
    ],
)
def test_it_refuses_urls_that_are_not_public_https(acme: PartnerKey, url: str) -> None:
    response = acme.client().post(ENDPOINTS, {"url": url}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook_url"


def test_it_changes_rotates_and_deletes_an_endpoint(acme: PartnerKey) -> None:
    client = acme.client()
    endpoint = client.post(ENDPOINTS, {"url": "https://a.example.com/h"}, format="json").json()
    path = f"{ENDPOINTS}/{endpoint['id']}"
    changed = client.patch(path, {"events": ["verification.decided"], "is_active": False}, format="json")
    assert changed.status_code == 200
    assert changed.json()["events"] == ["verification.decided"]
    assert changed.json()["is_active"] is False
    rotated = client.post(f"{path}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != endpoint["secret"]
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404


def test_it_hides_other_partners_endpoints_and_deliveries(acme: PartnerKey, globex: PartnerKey) -> None:
    endpoint = acme.client().post(ENDPOINTS, {"url": "https://a.example.com/h"}, format="json").json()
    other = globex.client()
    assert other.get(f"{ENDPOINTS}/{endpoint['id']}").status_code == 404
    assert (
        other.patch(f"{ENDPOINTS}/{endpoint['id']}", {"is_active": False}, format="json").status_code == 404
    )
    assert other.delete(f"{ENDPOINTS}/{endpoint['id']}").status_code == 404
    assert other.get(ENDPOINTS).json()["results"] == []


def test_it_signs_each_delivery_so_the_receiver_can_verify_it(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver)
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.signature_ok
    assert verify_signature(secret=receiver.secret, header=got.headers["X-Signature"], body=got.body)
    assert not verify_signature(secret="whsec_wrong", header=got.headers["X-Signature"], body=got.body)
    assert not verify_signature(
        secret=receiver.secret, header=got.headers["X-Signature"], body=got.body + b" "
    )
    event = receiver.events()[0]
    assert event["type"] == "verification.decided"
    assert event["id"] == str(delivery.event_id) == got.headers["X-Webhook-Id"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1


def test_it_refuses_an_old_signature() -> None:
    header = signature_header(secret="s", body=b"{}", timestamp=1_000)
    assert verify_signature(secret="s", header=header, body=b"{}", now=1_100)
    assert not verify_signature(secret="s", header=header, body=b"{}", now=1_000 + 301)


def test_it_sends_only_subscribed_events_to_active_endpoints(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver, events=["verification.completed"])
    assert emit(acme, django_capture_on_commit_callbacks, event="verification.decided") == []
    assert len(emit(acme, django_capture_on_commit_callbacks, event="verification.completed")) == 1
    assert [e["type"] for e in receiver.events()] == ["verification.completed"]


def test_it_retries_after_a_500_with_backoff_and_logs_every_attempt(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver)
    receiver.script = [500, 503]
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 500, "HTTP 500")
    first_wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=30) <= first_wait <= timedelta(seconds=33)

    # Not due yet: the sweep leaves it alone.
    assert deliver_due_webhooks() == 0
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at - delivery.last_attempt_at >= 2 * first_wait * 0.9

    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.next_attempt_at is None
    assert all(r.signature_ok for r in receiver.received)
    assert len({r.headers["X-Webhook-Id"] for r in receiver.received}) == 1

    log = acme.client().get(f"{DELIVERIES}/{delivery.pk}").json()
    assert [a["status_code"] for a in log["attempt_log"]] == [500, 503, 200]
    assert log["status"] == "succeeded"
    assert log["attempts"] == 3
    assert log["payload"]["id"] == str(delivery.event_id)


def test_it_retries_after_a_timeout(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    register(acme, receiver)
    settings.PARTNER_WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.script = [("sleep", 2.0)]
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("timeout")
    settings.PARTNER_WEBHOOK_TIMEOUT_SECONDS = 5.0
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempt_log.count() == 2


def test_it_gives_up_after_24_hours(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver)
    receiver.script = [500, 500]
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    late = delivery.created_at + timedelta(hours=23, minutes=59)
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=late)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    listed = acme.client().get(DELIVERIES, {"status": "failed"}).json()["results"]
    assert [d["id"] for d in listed] == [str(delivery.pk)]


def test_the_backoff_doubles_and_is_capped() -> None:
    delays = [webhooks.retry_delay_seconds(attempts=n) for n in range(1, 12)]
    assert 30 <= delays[0] <= 33
    assert 60 <= delays[1] <= 66
    assert all(3600 <= d <= 3960 for d in delays[8:])


def test_it_replays_a_delivery_with_the_same_event_id(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver)
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client().post(f"{DELIVERIES}/{delivery.pk}/replay")
    assert response.status_code == 202
    replay = response.json()
    assert replay["replay_of"] == str(delivery.pk)
    assert replay["event_id"] == str(delivery.event_id)
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    assert all(r.signature_ok for r in receiver.received)
    assert WebhookDelivery.objects.get(pk=replay["id"]).status == DeliveryStatus.SUCCEEDED


def test_it_keeps_deliveries_private_to_their_partner(
    acme: PartnerKey, globex: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver)
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    other = globex.client()
    assert other.get(f"{DELIVERIES}/{delivery.pk}").status_code == 404
    assert other.post(f"{DELIVERIES}/{delivery.pk}/replay").status_code == 404
    assert other.get(DELIVERIES).json()["results"] == []
    assert len(acme.client().get(DELIVERIES).json()["results"]) == 1


def test_staff_see_attempts_and_replay_from_the_admin(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver)
    receiver.script = [500]
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    staff = get_user_model().objects.create_superuser("ops", "ops@example.com", "a-long-passphrase-1")
    browser = Client()
    browser.force_login(staff)
    page = browser.get(f"/admin/partners/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert "HTTP 500" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(
            "/admin/partners/webhookdelivery/",
            {"action": "replay_deliveries", "_selected_action": [str(delivery.pk)]},
        )
    assert answer.status_code == 302
    replay = WebhookDelivery.objects.get(replay_of=delivery)
    assert replay.status == DeliveryStatus.SUCCEEDED
    assert replay.event_id == delivery.event_id


def test_the_receiver_code_in_the_partner_guide_verifies_a_real_delivery(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "partners.md").read_text(encoding="utf-8")
    section = guide.split("### Verifying a webhook", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/partners.md", "exec"), namespace)
    verify_webhook = namespace["verify_webhook"]

    register(acme, receiver)
    emit(acme, django_capture_on_commit_callbacks)
    got = receiver.received[0]
    assert verify_webhook(receiver.secret, got.headers["X-Signature"], got.body)
    assert not verify_webhook(
        receiver.secret, got.headers["X-Signature"], got.body.replace(b"approved", b"rejected")
    )
    assert not verify_webhook("whsec_other", got.headers["X-Signature"], got.body)


def test_it_does_not_call_a_name_that_resolves_into_our_network(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    # The machine's own name passes the URL check (not an IP literal, not "localhost") but resolves to
    # an address of this machine.
    host = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)}
    except OSError:
        pytest.skip(f"{host} does not resolve here")
    if all(ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses):
        pytest.skip(f"{host} resolves to a public address here")
    endpoint, _secret = webhooks.webhook_endpoint_create(partner=acme.partner, url=f"https://{host}/hook")
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.endpoint_id == endpoint.pk
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert "non-public" in delivery.last_error
    assert receiver.received == []


def test_the_command_sends_what_is_due(
    acme: PartnerKey, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    register(acme, receiver)
    receiver.script = [500]
    [delivery] = emit(acme, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    out = StringIO()
    call_command("partners_deliver_webhooks", stdout=out)
    assert "Attempted 1" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(receiver.received) == 2
