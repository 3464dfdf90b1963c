"""IDCardOCR error codes of the Tencent Cloud API 3.0 contract, with messages in zh-CN and en-US.

No Django imports: the engine, the HTTP endpoint, the CLI and the backends all raise and render these.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # Business codes of the IDCardOCR action (the seed's list, then the current service's additions).
    DOWNLOAD_ERROR = "FailedOperation.DownLoadError"
    EMPTY_IMAGE = "FailedOperation.EmptyImageError"
    IMAGE_BLUR = "FailedOperation.ImageBlur"
    IMAGE_DECODE_FAILED = "FailedOperation.ImageDecodeFailed"
    IMAGE_NO_ID_CARD = "FailedOperation.ImageNoIdCard"
    IMAGE_SIZE_TOO_LARGE = "FailedOperation.ImageSizeTooLarge"
    OCR_FAILED = "FailedOperation.OcrFailed"
    UNKNOWN_ERROR = "FailedOperation.UnKnowError"
    UN_OPEN = "FailedOperation.UnOpenError"
    CARD_SIDE_ERROR = "FailedOperation.CardSideError"
    ID_CARD_INFO_ILLEGAL = "FailedOperation.IdCardInfoIllegal"
    ID_CARD_TOO_SMALL = "FailedOperation.IdCardTooSmall"
    MULTI_CARD = "FailedOperation.MultiCardError"
    CONFIG_FORMAT = "InvalidParameter.ConfigFormatError"
    PARAMETER_VALUE_LIMIT = "InvalidParameterValue.InvalidParameterValueLimit"
    TOO_LARGE_FILE = "LimitExceeded.TooLargeFileError"
    CHARGE_STATUS = "ResourcesSoldOut.ChargeStatusException"
    # Common API 3.0 codes a server of this protocol needs.
    AUTH_INVALID_AUTHORIZATION = "AuthFailure.InvalidAuthorization"
    AUTH_SECRET_ID_NOT_FOUND = "AuthFailure.SecretIdNotFound"  # noqa: S105 (an error code)
    AUTH_SIGNATURE_EXPIRE = "AuthFailure.SignatureExpire"
    AUTH_SIGNATURE_FAILURE = "AuthFailure.SignatureFailure"
    INVALID_ACTION = "InvalidAction"
    NO_SUCH_VERSION = "NoSuchVersion"
    INVALID_PARAMETER = "InvalidParameter"
    INVALID_PARAMETER_VALUE = "InvalidParameterValue"
    MISSING_PARAMETER = "MissingParameter"
    UNKNOWN_PARAMETER = "UnknownParameter"
    REQUEST_LIMIT_EXCEEDED = "RequestLimitExceeded"
    REQUEST_SIZE_LIMIT_EXCEEDED = "RequestSizeLimitExceeded"
    UNSUPPORTED_PROTOCOL = "UnsupportedProtocol"
    INTERNAL_ERROR = "InternalError"
    SERVICE_UNAVAILABLE = "ServiceUnavailable"


# (zh-CN, en-US) default messages; a raiser may pass a more specific detail.
MESSAGES: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.DOWNLOAD_ERROR: ("文件下载失败。", "Failed to download the file."),
    ErrorCode.EMPTY_IMAGE: ("图片内容为空。", "The image is empty."),
    ErrorCode.IMAGE_BLUR: ("照片模糊。", "The image is blurred."),
    ErrorCode.IMAGE_DECODE_FAILED: ("图片解码失败。", "Failed to decode the image."),
    ErrorCode.IMAGE_NO_ID_CARD: ("照片未检测到身份证。", "No ID card was found in the image."),
    ErrorCode.IMAGE_SIZE_TOO_LARGE: ("图片尺寸过大。", "The image is too large."),
    ErrorCode.OCR_FAILED: ("Ocr识别失败。", "OCR failed."),
    ErrorCode.UNKNOWN_ERROR: ("未知错误。", "Unknown error."),
    ErrorCode.UN_OPEN: ("服务未开通。", "The service is not enabled."),
    ErrorCode.CARD_SIDE_ERROR: ("身份证正反面错误。", "Wrong side of the ID card."),
    ErrorCode.ID_CARD_INFO_ILLEGAL: ("身份证信息不合法。", "The ID card information is invalid."),
    ErrorCode.ID_CARD_TOO_SMALL: (
        "身份证在图片中太小或分辨率太低。",
        "The ID card is too small in the image or its resolution is too low.",
    ),
    ErrorCode.MULTI_CARD: (
        "图片中存在多张同一面的身份证。",
        "The image holds several cards of the same side.",
    ),
    ErrorCode.CONFIG_FORMAT: ("Config不是有效的JSON格式。", "Config is not valid JSON."),
    ErrorCode.PARAMETER_VALUE_LIMIT: ("参数值错误。", "Invalid parameter value."),
    ErrorCode.TOO_LARGE_FILE: ("文件内容太大。", "The file is too large."),
    ErrorCode.CHARGE_STATUS: ("计费状态异常。", "Abnormal billing status."),
    ErrorCode.AUTH_INVALID_AUTHORIZATION: (
        "请求头部的 Authorization 不符合腾讯云标准。",
        "The Authorization header is invalid.",
    ),
    ErrorCode.AUTH_SECRET_ID_NOT_FOUND: ("密钥不存在。", "The SecretId was not found."),
    ErrorCode.AUTH_SIGNATURE_EXPIRE: ("签名过期。", "The signature has expired."),
    ErrorCode.AUTH_SIGNATURE_FAILURE: ("签名错误。", "The signature does not match."),
    ErrorCode.INVALID_ACTION: ("接口不存在。", "The action does not exist."),
    ErrorCode.NO_SUCH_VERSION: ("接口版本不存在。", "The API version does not exist."),
    ErrorCode.INVALID_PARAMETER: ("参数错误。", "Invalid parameter."),
    ErrorCode.INVALID_PARAMETER_VALUE: ("参数取值错误。", "Invalid parameter value."),
    ErrorCode.MISSING_PARAMETER: ("缺少参数错误。", "A required parameter is missing."),
    ErrorCode.UNKNOWN_PARAMETER: ("未知参数错误。", "Unknown parameter."),
    ErrorCode.REQUEST_LIMIT_EXCEEDED: ("请求的次数超过了频率限制。", "The request rate limit was exceeded."),
    ErrorCode.REQUEST_SIZE_LIMIT_EXCEEDED: ("请求包超过限制大小。", "The request body is too large."),
    ErrorCode.UNSUPPORTED_PROTOCOL: (
        "HTTP(S)请求协议错误，只支持GET和POST请求。",
        "Only GET and POST are supported.",
    ),
    ErrorCode.INTERNAL_ERROR: ("内部错误。", "Internal error."),
    ErrorCode.SERVICE_UNAVAILABLE: ("当前服务暂时不可用。", "The service is temporarily unavailable."),
}


class OcrError(Exception):
    """An IDCardOCR failure that maps onto one contract error code."""

    def __init__(self, code: ErrorCode, detail: str = "", *, detail_en: str = "") -> None:
        self.code = code
        self.detail = detail
        self.detail_en = detail_en or detail
        super().__init__(f"{code.value}: {self.message('en-US')}")

    def message(self, language: str = "zh-CN") -> str:
        zh, en = MESSAGES.get(self.code, ("", ""))
        if language.lower().startswith("en"):
            return f"{en} {self.detail_en}".strip() if self.detail_en else en
        return f"{zh}{self.detail}" if self.detail else zh
