"""POST/GET /api/v1/verifications: intake (multipart and Base64), isolation, idempotency, paging, filters."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.db import connection

from onboarding.kyc.models import AuditEvent, CardImage, Verification
from onboarding.partners.models import PartnerVerification

from .conftest import PartnerKey, make_partner, png_bytes

URL = "/api/v1/verifications"
FRONT = png_bytes((220, 40, 40))
BACK = png_bytes((40, 40, 220))


def post_multipart(partner: PartnerKey, *, headers: dict[str, str] | None = None, **extra: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "front": SimpleUploadedFile("front.png", FRONT, content_type="image/png"),
        "back": SimpleUploadedFile("back.png", BACK, content_type="image/png"),
        **extra,
    }
    return partner.client().post(URL, data, format="multipart", headers=headers or {})


def post_json(partner: PartnerKey, *, headers: dict[str, str] | None = None, **extra: Any) -> Any:
    body = {
        "front_base64": base64.b64encode(FRONT).decode(),
        "back_base64": "data:image/png;base64," + base64.b64encode(BACK).decode(),
        **extra,
    }
    return partner.client().post(URL, body, format="json", headers=headers or {})


def test_it_accepts_both_sides_as_multipart_and_answers_202(acme: PartnerKey) -> None:
    response = post_multipart(acme, external_ref="user-42")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["state"] == "processing"
    assert body["external_ref"] == "user-42"
    assert response["Location"] == f"{URL}/{body['id']}"
    verification = Verification.objects.get(public_id=body["id"])
    assert verification.partner_id == acme.partner.pk
    images = CardImage.objects.filter(verification=verification)
    assert sorted(i.side for i in images) == ["BACK", "FRONT"]
    assert {i.sha256 for i in images} == {hashlib.sha256(FRONT).hexdigest(), hashlib.sha256(BACK).hexdigest()}
    actors = set(AuditEvent.objects.filter(verification=verification).values_list("actor_type", flat=True))
    assert actors == {"partner"}


def test_it_accepts_both_sides_as_base64_json_with_claims(acme: PartnerKey) -> None:
    response = post_json(acme, external_ref="u-7", name="李明", id_number="440524198701010014")
    assert response.status_code == 202, response.json()
    record = PartnerVerification.objects.get(verification_public_id=response.json()["id"])
    assert record.claims == {"Name": "李明", "IdNum": "440524198701010014"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_json FROM partners_partnerverification WHERE id = %s", [record.pk])
        stored = cursor.fetchone()[0]
    assert "李明" not in stored and "440524" not in stored


def test_it_refuses_bad_input_with_field_errors_and_stores_nothing(acme: PartnerKey) -> None:
    missing = acme.client().post(URL, {"front_base64": base64.b64encode(FRONT).decode()}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "validation_error"
    assert "back_base64" in missing.json()["error"]["details"]
    not_base64 = post_json(acme, front_base64="%%%not base64%%%")
    assert not_base64.status_code == 400
    assert "front_base64" in not_base64.json()["error"]["details"]
    not_image = post_json(acme, back_base64=base64.b64encode(b"GIF89a....").decode())
    assert not_image.status_code == 400
    assert not_image.json()["error"]["code"] == "image_type"
    assert Verification.objects.count() == 0


def test_it_shows_a_partner_only_its_own_verifications(acme: PartnerKey, globex: PartnerKey) -> None:
    mine = post_multipart(acme).json()["id"]
    theirs = post_multipart(globex).json()["id"]
    client = acme.client()
    own = client.get(f"{URL}/{mine}")
    assert own.status_code == 200
    assert own.json()["id"] == mine
    other = client.get(f"{URL}/{theirs}")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    assert client.get(f"{URL}/not-a-uuid").status_code == 404
    assert [v["id"] for v in client.get(URL).json()["results"]] == [mine]


def test_it_shows_a_case_not_yet_read_without_fields(acme: PartnerKey) -> None:
    created = post_multipart(acme).json()["id"]
    body = acme.client().get(f"{URL}/{created}").json()
    assert body["state"] == "processing"
    assert body["fields"] is None
    assert body["decision"] is None
    assert body["findings"] == [] and body["warnings"] == []


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(acme: PartnerKey) -> None:
    headers = {"Idempotency-Key": "order-1001"}
    first = post_json(acme, headers=headers, external_ref="r1")
    # The same content as multipart: the key follows the content, not the bytes on the wire.
    again = post_multipart(acme, headers=headers, external_ref="r1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Verification.objects.count() == 1


def test_a_different_body_with_the_same_idempotency_key_is_a_409(acme: PartnerKey) -> None:
    headers = {"Idempotency-Key": "order-1002"}
    assert post_json(acme, headers=headers, external_ref="r1").status_code == 202
    conflict = post_json(acme, headers=headers, external_ref="r2")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"
    assert Verification.objects.count() == 1


def test_idempotency_keys_belong_to_one_partner(acme: PartnerKey, globex: PartnerKey) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    a = post_json(acme, headers=headers)
    g = post_json(globex, headers=headers, external_ref="other")
    assert a.status_code == g.status_code == 202
    assert a.json()["id"] != g.json()["id"]


def test_a_failed_request_frees_its_idempotency_key(acme: PartnerKey) -> None:
    headers = {"Idempotency-Key": "retry-me"}
    assert post_json(acme, headers=headers, back_base64=base64.b64encode(b"nope").decode()).status_code == 400
    assert post_json(acme, headers=headers).status_code == 202


def test_it_pages_with_a_cursor_and_filters(acme: PartnerKey) -> None:
    ids = [post_json(acme, external_ref=f"ref-{n}").json()["id"] for n in range(5)]
    client = acme.client()
    seen: list[str] = []
    page = client.get(URL, {"page_size": 2}).json()
    while True:
        seen += [v["id"] for v in page["results"]]
        assert len(page["results"]) <= 2
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert seen == list(reversed(ids))
    assert [v["id"] for v in client.get(URL, {"external_ref": "ref-3"}).json()["results"]] == [ids[3]]
    assert len(client.get(URL, {"state": "processing"}).json()["results"]) == 5
    assert client.get(URL, {"state": "approved"}).json()["results"] == []
    assert len(client.get(URL, {"created_after": "2000-01-01"}).json()["results"]) == 5
    assert client.get(URL, {"created_before": "2000-01-01T00:00:00Z"}).json()["results"] == []
    assert client.get(URL, {"created_after": "yesterday"}).json()["results"] == []


def test_writing_needs_the_write_scope(db: None) -> None:
    reader = make_partner("Reader", scopes=["verifications:read"])
    response = post_json(reader)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert reader.client().get(URL).status_code == 200


def test_it_answers_413_for_a_json_body_over_the_limit(acme: PartnerKey, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200  # the two small test images take more
    response = post_json(acme, external_ref="x" * 10)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert error["details"]["max_bytes"] == 200
