"""The IDCardOCR contract in one place: request parameters in, the contract's Response (or Error) out.

The HTTP endpoint, the `idcard_ocr` command and the `local` backend all go through here, so the JSON
shapes of the API 3.0 contract are written once. No Django imports: settings arrive as arguments.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from onboarding.ocr.engine.types import BACK_FIELDS, FRONT_FIELDS, CardConfig, CardSide, OcrResult, WarnCode
from onboarding.ocr.errors import ErrorCode, OcrError

logger = logging.getLogger(__name__)

ACTION = "IDCardOCR"
VERSION = "2018-11-19"
# Seed: ImageBase64 at most 6 MB after encoding; ImageUrl images at most 3 MB after Base64.
MAX_IMAGE_BASE64_CHARS = 6 * 1024 * 1024
MAX_URL_IMAGE_BYTES = 3 * 1024 * 1024 * 3 // 4

REQUEST_PARAMETERS = frozenset(
    {
        "ImageBase64",
        "ImageUrl",
        "CardSide",
        "Config",
        "EnableRecognitionRectify",
        "EnableReflectDetail",
        "EnableDateVerify",
        "CardWarnType",
    }
)
# API 3.0 common parameters: allowed beside the action's own (GET requests carry them in the query).
COMMON_PARAMETERS = frozenset(
    {
        "Action",
        "Version",
        "Region",
        "Timestamp",
        "Nonce",
        "SecretId",
        "Signature",
        "SignatureMethod",
        "Token",
        "Language",
        "RequestClient",
    }
)
_WARN_SWITCHES = (
    "copy_warn",
    "border_check_warn",
    "reshoot_warn",
    "detect_ps_warn",
    "temp_id_warn",
    "invalid_date_warn",
    "reflect_warn",
)
_DATA_URI_RE = re.compile(r"^data:image/[a-zA-Z0-9.+-]+;base64,")
_WHITESPACE_RE = re.compile(r"\s+")

Recognize = Callable[..., OcrResult]
FetchUrl = Callable[[str], bytes]


@dataclass(frozen=True)
class IdCardRequest:
    """A validated IDCardOCR request; the image is not loaded yet (ImageUrl needs a download)."""

    image_base64: str | None
    image_url: str | None
    side: CardSide | None
    config: CardConfig


def new_request_id() -> str:
    return str(uuid.uuid4())


def _bool_param(name: str, value: object) -> bool:
    # JSON bodies carry real booleans; GET query strings carry "true"/"false".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    raise OcrError(
        ErrorCode.INVALID_PARAMETER,
        f"参数 {name} 应为布尔值。",
        detail_en=f"{name} must be a boolean.",
    )


def _str_param(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise OcrError(
            ErrorCode.INVALID_PARAMETER,
            f"参数 {name} 应为字符串。",
            detail_en=f"{name} must be a string.",
        )
    return value


def parse_config(raw: object) -> dict[str, bool]:
    """The Config parameter: a JSON object serialised as a string. Unknown keys are ignored."""
    if not isinstance(raw, str):
        raise OcrError(ErrorCode.CONFIG_FORMAT)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise OcrError(ErrorCode.CONFIG_FORMAT) from None
    if not isinstance(data, dict):
        raise OcrError(ErrorCode.CONFIG_FORMAT)
    switches: dict[str, bool] = {}
    for key, attribute in CardConfig.CONFIG_KEYS.items():
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            value = value.lower() == "true"
        if not isinstance(value, bool):
            raise OcrError(
                ErrorCode.CONFIG_FORMAT,
                f"Config 中 {key} 应为布尔值。",
                detail_en=f"Config key {key} must be a boolean.",
            )
        switches[attribute] = value
    return switches


def parse_request(params: Mapping[str, object]) -> IdCardRequest:
    """Validate the action's parameters (common parameters are allowed and ignored here)."""
    params = {name: value for name, value in params.items() if value is not None}  # JSON null: omitted
    for name in params:
        if name not in REQUEST_PARAMETERS and name not in COMMON_PARAMETERS:
            raise OcrError(
                ErrorCode.UNKNOWN_PARAMETER,
                f"参数 `{name}` 无法识别。",
                detail_en=f"The parameter `{name}` is not recognized.",
            )
    side: CardSide | None = None
    raw_side = params.get("CardSide")
    if raw_side is not None and raw_side != "":
        if raw_side not in (CardSide.FRONT.value, CardSide.BACK.value):
            raise OcrError(
                ErrorCode.CARD_SIDE_ERROR,
                "CardSide 只能为 FRONT 或 BACK。",
                detail_en="CardSide must be FRONT or BACK.",
            )
        side = CardSide(str(raw_side))
    options: dict[str, bool] = {}
    if "Config" in params:
        options.update(parse_config(params["Config"]))
    if "EnableRecognitionRectify" in params:
        options["enable_recognition_rectify"] = _bool_param(
            "EnableRecognitionRectify", params["EnableRecognitionRectify"]
        )
    if "EnableReflectDetail" in params:
        options["enable_reflect_detail"] = _bool_param("EnableReflectDetail", params["EnableReflectDetail"])
    if "EnableDateVerify" in params:
        _bool_param("EnableDateVerify", params["EnableDateVerify"])  # deprecated upstream: accepted, unused
    if "CardWarnType" in params:
        warn_type = _str_param("CardWarnType", params["CardWarnType"])
        if warn_type not in {"Basic", "Advanced"}:
            raise OcrError(
                ErrorCode.INVALID_PARAMETER_VALUE,
                "CardWarnType 只能为 Basic 或 Advanced。",
                detail_en="CardWarnType must be Basic or Advanced.",
            )
        options["advanced_warn"] = warn_type == "Advanced"
    image_base64 = params.get("ImageBase64")
    image_url = params.get("ImageUrl")
    if image_base64 is not None:
        image_base64 = _str_param("ImageBase64", image_base64)
    if image_url is not None:
        image_url = _str_param("ImageUrl", image_url)
    if not image_base64 and not image_url:
        raise OcrError(
            ErrorCode.MISSING_PARAMETER,
            "ImageBase64 与 ImageUrl 必须提供一个。",
            detail_en="One of ImageBase64 and ImageUrl is required.",
        )
    return IdCardRequest(
        image_base64=image_base64 or None,
        image_url=image_url or None,
        side=side,
        config=replace(CardConfig(), **options),
    )


def decode_base64_image(data: str) -> bytes:
    """ImageBase64 to bytes: whitespace and a data: URI prefix tolerated, anything else not Base64 refused."""
    if len(data) > MAX_IMAGE_BASE64_CHARS:
        raise OcrError(
            ErrorCode.TOO_LARGE_FILE,
            "ImageBase64 超过 6M。",
            detail_en="ImageBase64 is larger than 6 MB.",
        )
    cleaned = _WHITESPACE_RE.sub("", _DATA_URI_RE.sub("", data, count=1))
    try:
        image = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise OcrError(
            ErrorCode.IMAGE_DECODE_FAILED,
            "ImageBase64 不是有效的 Base64。",
            detail_en="ImageBase64 is not valid Base64.",
        ) from None
    if not image:
        raise OcrError(ErrorCode.EMPTY_IMAGE)
    return image


def load_image(request: IdCardRequest, *, fetch_url: FetchUrl | None) -> bytes:
    """The image bytes: ImageBase64 when given (it wins over ImageUrl), else the downloaded ImageUrl."""
    if request.image_base64:
        image = decode_base64_image(request.image_base64)
    elif request.image_url and fetch_url is not None:
        image = fetch_url(request.image_url)
    else:
        raise OcrError(
            ErrorCode.DOWNLOAD_ERROR,
            "此处不支持 ImageUrl。",
            detail_en="ImageUrl is not supported here.",
        )
    if not image:
        raise OcrError(ErrorCode.EMPTY_IMAGE)
    # The contract refuses GIF; say so before the decoder spends time on it.
    if image[:6] in (b"GIF87a", b"GIF89a"):
        raise OcrError(ErrorCode.IMAGE_DECODE_FAILED, "暂不支持GIF格式。", detail_en="GIF is not supported.")
    return image


def advanced_info(result: OcrResult, *, config: CardConfig, invalid_date_warn_code: int) -> dict[str, object]:
    """AdvancedInfo as a dict: the crops, quality and warnings asked for, warning codes as configured."""
    info = result.advanced_info()
    invalid_date_codes = {int(WarnCode.INVALID_DATE), int(WarnCode.INVALID_DATE_LEGACY)}
    codes = list(result.warnings)
    if result.other_side is not None:
        # MultiCardDetect read both sides: the image's warnings are both cards'.
        codes += [code for code in result.other_side.warnings if code not in codes]
    if codes:
        info["WarnInfos"] = [
            invalid_date_warn_code if int(code) in invalid_date_codes else int(code) for code in codes
        ]
    elif any(getattr(config, name) for name in _WARN_SWITCHES) or config.advanced_warn:
        info["WarnInfos"] = []
    return info


def build_response(
    result: OcrResult,
    *,
    config: CardConfig,
    request_id: str,
    invalid_date_warn_code: int = int(WarnCode.INVALID_DATE),
) -> dict[str, object]:
    """The contract's Response object: all eight fields, AdvancedInfo as a JSON string, RequestId."""
    response: dict[str, object] = dict(result.fields.as_contract())
    if result.other_side is not None:
        # MultiCardDetect found the other side in the same image: its fields fill theirs.
        other = result.other_side.fields.as_contract()
        for name in BACK_FIELDS if result.side is CardSide.FRONT else FRONT_FIELDS:
            response[name] = other[name]
    info = advanced_info(result, config=config, invalid_date_warn_code=invalid_date_warn_code)
    response["AdvancedInfo"] = json.dumps(info, ensure_ascii=False, separators=(",", ":"))
    if config.enable_reflect_detail:
        positions = result.reflect_positions if config.reflect_warn else []
        response["ReflectDetailInfos"] = [{"Position": str(position)} for position in positions]
    response["RequestId"] = request_id
    return response


def error_response(error: OcrError, *, request_id: str, language: str = "zh-CN") -> dict[str, object]:
    """The contract's error Response object."""
    return {
        "Error": {"Code": error.code.value, "Message": error.message(language)},
        "RequestId": request_id,
    }


def engine_recognize(image: bytes, *, side: CardSide | None, config: CardConfig) -> OcrResult:
    """The in-process engine, imported on first use so that parsing and errors never load the models."""
    from onboarding.ocr.engine import recognize

    return recognize(image, side=side, config=config)


def handle(
    params: Mapping[str, object],
    *,
    request_id: str | None = None,
    language: str = "zh-CN",
    fetch_url: FetchUrl | None = None,
    recognize: Recognize | None = None,
    invalid_date_warn_code: int = int(WarnCode.INVALID_DATE),
) -> dict[str, object]:
    """One IDCardOCR call: parameters in, `{"Response": {...}}` out (fields or Error, never raises OcrError)."""
    rid = request_id or new_request_id()
    try:
        request = parse_request(params)
        image = load_image(request, fetch_url=fetch_url)
        result = (recognize or engine_recognize)(image, side=request.side, config=request.config)
        response = build_response(
            result, config=request.config, request_id=rid, invalid_date_warn_code=invalid_date_warn_code
        )
    except OcrError as error:
        return {"Response": error_response(error, request_id=rid, language=language)}
    except Exception:  # a bug must still answer in the contract's envelope, with the RequestId to trace it
        logger.exception("IDCardOCR failed unexpectedly (RequestId %s)", rid)
        return {
            "Response": error_response(OcrError(ErrorCode.INTERNAL_ERROR), request_id=rid, language=language)
        }
    return {"Response": response}


def outcome_code(envelope: Mapping[str, object]) -> str:
    """The Error code of an envelope, or "OK"."""
    response = envelope.get("Response")
    if isinstance(response, dict):
        error = response.get("Error")
        if isinstance(error, dict):
            return str(error.get("Code", ""))
    return "OK"
