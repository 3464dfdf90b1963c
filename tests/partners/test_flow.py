"""A partner's case end to end through the real local OCR engine on specimen photos: intake, OCR,
automatic submission with the partner's claims, webhooks to a real receiver, masked and full reads."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from onboarding.kyc import services as kyc
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import ActorType, AuditEvent, Verification
from onboarding.partners import services

from .conftest import PartnerKey, Receiver

URL = "/api/v1/verifications"


def submit(partner: PartnerKey, specimen: dict[str, Any], capture: Any, **claims: str) -> dict[str, Any]:
    body = {
        "front_base64": base64.b64encode(specimen["front"]).decode(),
        "back_base64": base64.b64encode(specimen["back"]).decode(),
        "external_ref": "user-1",
        **claims,
    }
    # Executing the commit callbacks runs the (eager) OCR task, kyc's events and the webhook sends.
    with capture(execute=True):
        response = partner.client().post(URL, body, format="json")
    assert response.status_code == 202, response.json()
    return response.json()


def test_a_partner_case_is_read_submitted_and_reported(
    acme: PartnerKey,
    receiver: Receiver,
    specimen: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.secret = (
        acme.client()
        .post("/api/v1/webhooks/endpoints", {"url": receiver.url}, format="json")
        .json()["secret"]
    )
    fields = specimen["fields"]
    accepted = submit(
        acme, specimen, django_capture_on_commit_callbacks, name=fields["Name"], id_number=fields["IdNum"]
    )
    verification = Verification.objects.get(public_id=accepted["id"])
    findings = list(verification.findings.values_list("code", flat=True))
    # Nothing found on a clean square-on specimen whose claims match: the rules approve it; whatever the
    # engine flags sends it to a person instead.
    assert verification.state == ("in_review" if findings else "auto_approved")

    events = receiver.events()
    assert events[0]["type"] == "verification.completed"
    assert events[0]["data"]["verification"]["id"] == accepted["id"]
    assert events[0]["data"]["verification"]["state"] == verification.state
    assert all(r.signature_ok for r in receiver.received)
    if verification.state == "auto_approved":
        assert [e["type"] for e in events] == ["verification.completed", "verification.decided"]
        assert events[1]["data"]["verification"]["decision"]["outcome"] == "approved"
        assert events[1]["data"]["verification"]["decision"]["automatic"] is True
    else:
        assert [e["type"] for e in events] == ["verification.completed"]
    body = receiver.received[0].body.decode()
    assert fields["Name"] not in body and fields["IdNum"] not in body

    api_key, key = services.api_key_create(partner=acme.partner, scopes=["verifications:read"])
    masked_client = PartnerKey(partner=acme.partner, api_key=api_key, key=key).client()
    masked = masked_client.get(f"{URL}/{accepted['id']}").json()
    assert masked["pii_masked"] is True
    assert masked["fields"]["id_number"] == fields["IdNum"][:4] + "*" * 10 + fields["IdNum"][-4:]
    assert masked["fields"]["name"] != fields["Name"]
    assert masked["cross_check"] == [
        {"field": "name", "matches": True},
        {"field": "id_number", "matches": True},
    ]

    full = acme.client().get(f"{URL}/{accepted['id']}").json()  # acme's key has pii:read
    assert full["pii_masked"] is False
    assert full["fields"]["id_number"] == fields["IdNum"]
    assert full["fields"]["name"] == fields["Name"]
    assert full["fields"]["birth_date"] == specimen["person"].birth.isoformat()
    assert full["fields"]["valid_period_text"] == fields["ValidDate"]
    assert AuditEvent.objects.filter(verification=verification, action="pii.viewed").count() == 1

    # A claim the card contradicts sends the case to a person, and the partner sees the mismatch ...
    disputed = submit(acme, specimen, django_capture_on_commit_callbacks, name="王小明")
    case = acme.client().get(f"{URL}/{disputed['id']}").json()
    assert case["state"] == "in_review"
    assert case["decision"] is None
    assert {"field": "name", "matches": False} in case["cross_check"]
    assert any(f["field"] == "name" for f in case["findings"])

    # ... and hears the reviewer's decision.
    sent_before = len(receiver.received)
    reviewer = get_user_model().objects.create_user("reviewer-p", password="x-Strong-pass-1", is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_verification"))
    reviewer = get_user_model().objects.get(pk=reviewer.pk)
    disputed_case = Verification.objects.get(public_id=disputed["id"])
    with django_capture_on_commit_callbacks(execute=True):
        kyc.verification_reject(
            verification=disputed_case,
            actor=Actor.for_user(reviewer, type=ActorType.REVIEWER),
            expected_version=disputed_case.version,
            reason_codes=["data_mismatch"],
        )
    decided = receiver.events()[sent_before:]
    assert [e["type"] for e in decided] == ["verification.decided"]
    assert decided[0]["data"]["verification"]["decision"]["outcome"] == "rejected"
    assert decided[0]["data"]["verification"]["decision"]["reason_codes"] == ["data_mismatch"]
    final = acme.client().get(f"{URL}/{disputed['id']}").json()
    assert final["state"] == "rejected"
    assert final["decision"]["outcome"] == "rejected"
    assert final["decision"]["automatic"] is False
