"""Real reads of generated specimen photos through every front of the service: the official SDK against
a live server (POST and ImageUrl), the `tencent` backend against our own endpoint, the `local` backend and
the CLI. Kept to a handful of reads: each costs about a second of CPU."""

from __future__ import annotations

import base64
import io
import json
import random
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from PIL import Image
from tencentcloud.ocr.v20181119 import models

from onboarding.ocr.backends import get_backend
from onboarding.ocr.engine.types import BACK_FIELDS, FRONT_FIELDS, CardConfig, CardSide
from onboarding.ocr.services import credential_create
from onboarding.ocr.specimens import PhotoConditions, specimen_photo
from tests.ocr.test_api_support import Pair, b64, endpoint_of, file_server, sdk_client, serve_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Specimen:
    jpeg: bytes
    truth: dict[str, str]


@pytest.fixture(scope="session")
def specimens() -> dict[str, Specimen]:
    """Drawn once per session: a clean front, a clean back, a black-and-white photocopy of a front, and a
    photo of one person's front and back side by side."""
    rng = random.Random(20261125)
    today = date(2026, 1, 1)
    out: dict[str, Specimen] = {}
    for key, side, conditions in (
        ("front", CardSide.FRONT, PhotoConditions()),
        ("back", CardSide.BACK, PhotoConditions()),
        ("copy", CardSide.FRONT, PhotoConditions(photocopy="bw")),
        ("both", CardSide.FRONT, PhotoConditions(second_card="other_side")),
    ):
        photo, identity = specimen_photo(rng, side, conditions, today=today)
        out[key] = Specimen(photo.jpeg, identity.contract_fields())
    return out


@pytest.fixture
def pair() -> Pair:
    credential, secret_key = credential_create(name="reads")
    return Pair(credential.secret_id, secret_key)


def _jpeg_size(data: str) -> tuple[int, int]:
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    assert image.format == "JPEG"
    return image.size


def _sdk_read(client: Any, **fields: Any) -> dict[str, Any]:
    request = models.IDCardOCRRequest()
    for name, value in fields.items():
        setattr(request, name, value)
    answer = json.loads(client.IDCardOCR(request).to_json_string())
    assert isinstance(answer, dict)
    return answer


def test_it_reads_a_front_with_crops_through_the_sdk(
    live_server: Any, pair: Pair, specimens: dict[str, Specimen]
) -> None:
    front = specimens["front"]
    config = {"CropIdCard": True, "CropPortrait": True, "CopyWarn": True, "ReshootWarn": True}
    answer = _sdk_read(
        sdk_client(live_server.url, pair),
        ImageBase64=b64(front.jpeg),
        CardSide="FRONT",
        Config=json.dumps(config),
    )
    for name in ("IdNum", "Birth", "Sex", "Name"):
        assert answer[name] == front.truth[name], name
    assert answer["Nation"] and answer["Address"]
    assert answer["Authority"] == "" and answer["ValidDate"] == ""
    uuid.UUID(answer["RequestId"])
    info = json.loads(answer["AdvancedInfo"])  # a JSON string, as the contract says
    width, height = _jpeg_size(info["IdCard"])
    assert 1.45 < width / height < 1.72  # the deskewed card, ID-1 aspect
    p_width, p_height = _jpeg_size(info["Portrait"])
    assert p_height > p_width
    assert info["WarnInfos"] == []  # a clean photo: neither copy nor re-shoot


def test_it_warns_of_a_photocopy_in_advanced_info(
    live_server: Any, pair: Pair, specimens: dict[str, Specimen]
) -> None:
    answer = _sdk_read(
        sdk_client(live_server.url, pair),
        ImageBase64=b64(specimens["copy"].jpeg),
        Config=json.dumps({"CopyWarn": True}),
    )
    assert answer["IdNum"] == specimens["copy"].truth["IdNum"]
    warnings = json.loads(answer["AdvancedInfo"])["WarnInfos"]
    assert -9102 in warnings or -9108 in warnings


def test_it_answers_both_sides_of_one_photo_with_multi_card_detect(
    live_server: Any, pair: Pair, specimens: dict[str, Specimen]
) -> None:
    both = specimens["both"]
    answer = _sdk_read(
        sdk_client(live_server.url, pair),
        ImageBase64=b64(both.jpeg),
        Config=json.dumps({"MultiCardDetect": True}),
    )
    for name in (*FRONT_FIELDS, *BACK_FIELDS):
        assert answer[name] == both.truth[name], name


def test_it_reads_a_back_from_an_image_url(
    live_server: Any, pair: Pair, specimens: dict[str, Specimen], settings: Any
) -> None:
    settings.OCR_URL_FETCH_ALLOW_LOOPBACK = True
    back = specimens["back"]
    with file_server(serve_bytes(back.jpeg)) as base:
        answer = _sdk_read(sdk_client(live_server.url, pair), ImageUrl=base + "/back.jpg", CardSide="BACK")
    for name in BACK_FIELDS:
        assert answer[name] == back.truth[name], name
    for name in FRONT_FIELDS:
        assert answer[name] == ""
    assert answer["AdvancedInfo"] == "{}"


def test_it_reads_through_the_tencent_backend_against_our_endpoint(
    live_server: Any, pair: Pair, specimens: dict[str, Specimen], settings: Any
) -> None:
    settings.OCR_BACKEND = "tencent"
    settings.TENCENTCLOUD_SECRET_ID, settings.TENCENTCLOUD_SECRET_KEY = pair.secret_id, pair.secret_key
    settings.TENCENTCLOUD_ENDPOINT = endpoint_of(live_server.url)
    settings.TENCENTCLOUD_PROTOCOL = "http"
    settings.TENCENTCLOUD_TIMEOUT = 120  # a loaded CI machine must not turn a slow read into a retry
    front = specimens["front"]
    result = get_backend().recognize(front.jpeg, side=None, config=CardConfig(crop_portrait=True))
    assert result.backend == "tencent" and result.side is CardSide.FRONT
    assert result.fields.id_num == front.truth["IdNum"]
    assert result.portrait_jpeg is not None and result.portrait_jpeg[:2] == b"\xff\xd8"
    assert list(result.response)[:8] == [*FRONT_FIELDS, *BACK_FIELDS]
    assert result.response["RequestId"] == result.request_id


def test_it_reads_through_the_local_backend_with_the_api_response(
    specimens: dict[str, Specimen], settings: Any
) -> None:
    settings.OCR_BACKEND = "local"
    back = specimens["back"]
    result = get_backend().recognize(back.jpeg, side=CardSide.BACK, config=CardConfig(crop_id_card=True))
    assert result.backend == "local" and result.side is CardSide.BACK
    assert result.fields.valid_date == back.truth["ValidDate"]
    assert result.response["ValidDate"] == back.truth["ValidDate"] and result.response["Name"] == ""
    assert isinstance(result.response["AdvancedInfo"], str)
    assert "IdCard" in json.loads(result.response["AdvancedInfo"])
    assert result.card_jpeg is not None
    uuid.UUID(result.request_id)


def test_it_prints_the_api_response_from_the_cli(tmp_path: Path, specimens: dict[str, Specimen]) -> None:
    path = tmp_path / "front.jpg"
    path.write_bytes(specimens["front"].jpeg)
    out = io.StringIO()
    call_command("idcard_ocr", "--side", "FRONT", str(path), stdout=out)
    (line,) = [json.loads(text) for text in out.getvalue().splitlines()]
    assert line["file"] == str(path)
    response = line["Response"]
    assert response["IdNum"] == specimens["front"].truth["IdNum"]
    assert set(response) >= {*FRONT_FIELDS, *BACK_FIELDS, "AdvancedInfo", "RequestId"}
    assert response["AdvancedInfo"] == "{}"
