"""The shared contract module: parameter validation and the exact Response shapes."""

from __future__ import annotations

import json
import uuid

import pytest

from onboarding.ocr.api import contract
from onboarding.ocr.engine.types import (
    CardConfig,
    CardSide,
    IdCardFields,
    OcrResult,
    ReflectPosition,
    WarnCode,
)
from onboarding.ocr.errors import ErrorCode, OcrError

FIELDS = ("Name", "Sex", "Nation", "Birth", "Address", "IdNum", "Authority", "ValidDate")


def _front() -> OcrResult:
    return OcrResult(
        side=CardSide.FRONT,
        fields=IdCardFields(
            name="样本", sex="男", nation="汉", birth="1987/1/1", address="北京市", id_num="1" * 18
        ),
        card_jpeg=b"\xff\xd8card",
        portrait_jpeg=b"\xff\xd8face",
        warnings=[int(WarnCode.COPY), int(WarnCode.INVALID_DATE)],
        reflect_positions=[ReflectPosition.PORTRAIT],
    )


def _error_code(params: dict[str, object]) -> str:
    with pytest.raises(OcrError) as caught:
        contract.parse_request(params)
    return caught.value.code.value


def test_it_builds_all_eight_fields_and_advanced_info_as_a_string() -> None:
    config = CardConfig(crop_id_card=True, crop_portrait=True, copy_warn=True, invalid_date_warn=True)
    response = contract.build_response(
        _front(), config=config, request_id="rid", invalid_date_warn_code=-9100
    )
    assert list(response)[:8] == list(FIELDS)
    assert response["Authority"] == "" and response["ValidDate"] == ""
    assert isinstance(response["AdvancedInfo"], str)
    info = json.loads(response["AdvancedInfo"])
    assert info["WarnInfos"] == [-9102, -9100]
    assert set(info) == {"IdCard", "Portrait", "WarnInfos"}
    assert "ReflectDetailInfos" not in response
    assert response["RequestId"] == "rid"


def test_it_answers_an_empty_advanced_info_when_nothing_is_asked() -> None:
    result = OcrResult(
        side=CardSide.BACK, fields=IdCardFields(authority="赵县公安局", valid_date="2010.07.21-2020.07.21")
    )
    response = contract.build_response(result, config=CardConfig(), request_id="rid")
    assert response["AdvancedInfo"] == "{}"
    asked = contract.build_response(result, config=CardConfig(reshoot_warn=True), request_id="rid")
    assert json.loads(str(asked["AdvancedInfo"])) == {"WarnInfos": []}


def test_it_fills_reflect_details_when_asked() -> None:
    config = CardConfig(reflect_warn=True, enable_reflect_detail=True)
    response = contract.build_response(_front(), config=config, request_id="rid")
    assert response["ReflectDetailInfos"] == [{"Position": "Portrait"}]


def test_it_parses_every_request_parameter() -> None:
    request = contract.parse_request(
        {
            "ImageBase64": "AAAA",
            "ImageUrl": "https://example.com/a.jpg",
            "CardSide": "BACK",
            "Config": json.dumps({"CropIdCard": True, "Quality": "true", "SomethingNew": 1}),
            "EnableRecognitionRectify": "false",
            "EnableReflectDetail": True,
            "EnableDateVerify": False,
            "CardWarnType": "Advanced",
            "Action": "IDCardOCR",
            "Version": "2018-11-19",
            "Region": "ap-guangzhou",
        }
    )
    assert request.side is CardSide.BACK
    assert request.config.crop_id_card and request.config.quality and request.config.advanced_warn
    assert not request.config.enable_recognition_rectify and request.config.enable_reflect_detail
    assert request.image_base64 == "AAAA" and request.image_url == "https://example.com/a.jpg"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"ImageBase64": "AAAA", "Foo": 1}, "UnknownParameter"),
        ({"ImageBase64": "AAAA", "CardSide": "front"}, "FailedOperation.CardSideError"),
        ({"ImageBase64": "AAAA", "Config": "not json"}, "InvalidParameter.ConfigFormatError"),
        ({"ImageBase64": "AAAA", "Config": "[]"}, "InvalidParameter.ConfigFormatError"),
        ({"ImageBase64": "AAAA", "Config": {"CropIdCard": True}}, "InvalidParameter.ConfigFormatError"),
        ({"ImageBase64": "AAAA", "Config": '{"CropIdCard": 3}'}, "InvalidParameter.ConfigFormatError"),
        ({"ImageBase64": "AAAA", "EnableRecognitionRectify": "maybe"}, "InvalidParameter"),
        ({"ImageBase64": "AAAA", "CardWarnType": "Strict"}, "InvalidParameterValue"),
        ({"ImageBase64": 12}, "InvalidParameter"),
        ({}, "MissingParameter"),
        ({"ImageBase64": "", "ImageUrl": ""}, "MissingParameter"),
    ],
)
def test_it_refuses_bad_parameters(params: dict[str, object], code: str) -> None:
    assert _error_code(params) == code


def test_it_decodes_base64_with_whitespace_and_a_data_uri() -> None:
    assert contract.decode_base64_image("data:image/jpeg;base64,/9j/\n4A==") == b"\xff\xd8\xff\xe0"
    with pytest.raises(OcrError) as caught:
        contract.decode_base64_image("/9j/4A=")
    assert caught.value.code is ErrorCode.IMAGE_DECODE_FAILED


def test_it_handles_a_request_end_to_end_with_a_given_recognizer() -> None:
    seen: dict[str, object] = {}

    def recognize(image: bytes, *, side: CardSide | None, config: CardConfig) -> OcrResult:
        seen.update(image=image, side=side, config=config)
        return _front()

    envelope = contract.handle(
        {"ImageBase64": "/9j/4A==", "CardSide": "FRONT", "Config": '{"CropPortrait": true}'},
        recognize=recognize,
    )
    response = envelope["Response"]
    assert isinstance(response, dict)
    assert seen["image"] == b"\xff\xd8\xff\xe0" and seen["side"] is CardSide.FRONT
    assert response["Name"] == "样本"
    uuid.UUID(str(response["RequestId"]))
    assert contract.outcome_code(envelope) == "OK"


def test_it_wraps_unexpected_failures_as_internal_error() -> None:
    def broken(image: bytes, *, side: CardSide | None, config: CardConfig) -> OcrResult:
        raise RuntimeError("bug")

    envelope = contract.handle({"ImageBase64": "/9j/4A=="}, recognize=broken, language="en-US")
    assert contract.outcome_code(envelope) == "InternalError"


def test_it_answers_both_sides_when_multi_card_detect_found_the_other() -> None:
    front = _front()
    front.other_side = OcrResult(
        side=CardSide.BACK,
        fields=IdCardFields(authority="赵县公安局", valid_date="2010.07.21-2020.07.21"),
        warnings=[int(WarnCode.COPY), int(WarnCode.RESHOOT)],
    )
    config = CardConfig(copy_warn=True, reshoot_warn=True, invalid_date_warn=True, multi_card_detect=True)
    response = contract.build_response(front, config=config, request_id="rid")
    assert response["Name"] == "样本" and response["IdNum"] == "1" * 18
    assert response["Authority"] == "赵县公安局"
    assert response["ValidDate"] == "2010.07.21-2020.07.21"
    # Both cards' warnings, each once, the front's first.
    assert json.loads(str(response["AdvancedInfo"]))["WarnInfos"] == [-9102, -9109, -9103]
