"""POST /api/v1/ocr/idcard: one image read now by the real local engine, answered in our JSON style."""

from __future__ import annotations

import base64
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import PartnerKey, make_partner, png_bytes

URL = "/api/v1/ocr/idcard"


def test_it_reads_the_front_of_a_specimen_card(acme: PartnerKey, specimen: dict[str, Any]) -> None:
    upload = SimpleUploadedFile("front.jpg", specimen["front"], content_type="image/jpeg")
    response = acme.client().post(URL, {"image": upload, "crop_portrait": "true"}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    person = specimen["person"]
    assert body["side"] == "FRONT"
    assert body["fields"]["name"] == person.name
    assert body["fields"]["id_number"] == person.id_num
    assert body["fields"]["birth_date"] == person.birth.isoformat()
    assert body["fields"]["issuing_authority"] is None
    assert (
        body["portrait_image_base64"]
        and base64.b64decode(body["portrait_image_base64"])[:3] == b"\xff\xd8\xff"
    )
    assert body["card_image_base64"] is None
    assert 0 < body["confidence"]["name"] <= 1
    assert "Name" not in body and "Response" not in body


def test_it_answers_422_when_the_image_holds_no_card(acme: PartnerKey) -> None:
    blank = base64.b64encode(png_bytes((250, 250, 250), size=(640, 400))).decode()
    response = acme.client().post(URL, {"image_base64": blank}, format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "ocr_failed"
    assert error["details"]["ocr_code"].startswith("FailedOperation.")


def test_it_refuses_what_is_not_a_jpeg_or_png(acme: PartnerKey) -> None:
    response = acme.client().post(
        URL, {"image_base64": base64.b64encode(b"GIF89a-----").decode()}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_type"


def test_it_needs_the_ocr_scope(db: None) -> None:
    reader = make_partner("No OCR", scopes=["verifications:read"])
    response = reader.client().post(URL, {"image_base64": "AAAA"}, format="json")
    assert response.status_code == 403
