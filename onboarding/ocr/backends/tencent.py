"""The `tencent` backend: Tencent Cloud IDCardOCR, or any API 3.0-compatible endpoint (such as another
instance of this service), through the official SDK. All use of the SDK is in this module.

Transient failures (rate limit, internal error, service unavailable, network) are retried with
exponential backoff; business errors (the image, the card, the parameters) never are.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.ocr.v20181119 import models as ocr_models
from tencentcloud.ocr.v20181119.ocr_client import OcrClient

from onboarding.ocr.backends import BackendResult
from onboarding.ocr.engine.types import ALL_FIELDS, CardConfig, CardSide, IdCardFields
from onboarding.ocr.errors import ErrorCode, OcrError

_RETRYABLE_PREFIXES = ("RequestLimitExceeded", "InternalError", "ServiceUnavailable")
# The SDK reports transport failures with these codes (connection refused, timeout, HTTP status != 200).
_NETWORK_CODES = frozenset({"ClientNetworkError", "ServerNetworkError"})
_KNOWN_CODES = {code.value: code for code in ErrorCode}


def is_retryable(code: str) -> bool:
    """True for codes worth another try: rate limit, internal error, unavailable, network."""
    return code in _NETWORK_CODES or any(code == p or code.startswith(p + ".") for p in _RETRYABLE_PREFIXES)


def to_ocr_error(exc: TencentCloudSDKException) -> OcrError:
    """The SDK's exception as an OcrError with the same code (its family, or UnKnowError, if we lack it)."""
    code = str(exc.get_code() or "")
    message = str(exc.get_message() or "")
    detail = f"（{code}: {message}）" if message else f"（{code}）"
    detail_en = f"({code}: {message})" if message else f"({code})"
    if code in _KNOWN_CODES:
        return OcrError(_KNOWN_CODES[code], detail if message else "", detail_en=detail_en if message else "")
    if code in _NETWORK_CODES:
        return OcrError(ErrorCode.SERVICE_UNAVAILABLE, detail, detail_en=detail_en)
    family = code.split(".", 1)[0]
    if family in _KNOWN_CODES:
        return OcrError(_KNOWN_CODES[family], detail, detail_en=detail_en)
    return OcrError(ErrorCode.UNKNOWN_ERROR, detail, detail_en=detail_en)


def config_json(config: CardConfig) -> str:
    """The Config parameter for a CardConfig: the switches that are on."""
    return json.dumps(
        {key: True for key, attribute in CardConfig.CONFIG_KEYS.items() if getattr(config, attribute)}
    )


class TencentCloudBackend:
    """IDCardOCR through `tencentcloud-sdk-python-ocr` against Tencent Cloud or a compatible endpoint."""

    name = "tencent"

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        region: str = "ap-guangzhou",
        endpoint: str = "ocr.tencentcloudapi.com",
        protocol: str = "https",
        timeout: int = 10,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        http_profile = HttpProfile(endpoint=endpoint, protocol=protocol, reqTimeout=timeout)
        self._client: OcrClient | None = None
        self._setup_error: OcrError | None = None
        try:
            self._client = OcrClient(
                Credential(secret_id, secret_key), region, ClientProfile(httpProfile=http_profile)
            )
        except TencentCloudSDKException as exc:
            # Missing TENCENTCLOUD_SECRET_ID/KEY: get_backend() still works; each read says why it cannot.
            self._setup_error = to_ocr_error(exc)
        self._max_attempts = max(1, max_attempts)
        self._backoff_base = backoff_base
        self._sleep = sleep

    @classmethod
    def from_settings(cls) -> TencentCloudBackend:
        """The backend configured by TENCENTCLOUD_* settings."""
        from django.conf import settings

        return cls(
            secret_id=settings.TENCENTCLOUD_SECRET_ID,
            secret_key=settings.TENCENTCLOUD_SECRET_KEY,
            region=settings.TENCENTCLOUD_REGION,
            endpoint=settings.TENCENTCLOUD_ENDPOINT,
            protocol=settings.TENCENTCLOUD_PROTOCOL,
            timeout=settings.TENCENTCLOUD_TIMEOUT,
        )

    def _call(self, request: ocr_models.IDCardOCRRequest) -> Any:
        if self._client is None:
            raise self._setup_error or OcrError(ErrorCode.INTERNAL_ERROR)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._client.IDCardOCR(request)
            except TencentCloudSDKException as exc:
                code = str(exc.get_code() or "")
                if not is_retryable(code) or attempt >= self._max_attempts:
                    raise to_ocr_error(exc) from exc
                self._sleep(self._backoff_base * 2 ** (attempt - 1))

    def recognize(self, image: bytes, *, side: CardSide | None, config: CardConfig) -> BackendResult:
        """Read one image remotely; raises OcrError with the service's code on failure."""
        started = time.monotonic()
        request = ocr_models.IDCardOCRRequest()
        request.ImageBase64 = base64.b64encode(image).decode("ascii")
        if side is not None:
            request.CardSide = side.value
        request.Config = config_json(config)
        request.EnableRecognitionRectify = config.enable_recognition_rectify
        request.EnableReflectDetail = config.enable_reflect_detail
        if config.advanced_warn:
            request.CardWarnType = "Advanced"
        answer = self._call(request)
        response: dict[str, object] = {name: getattr(answer, name) or "" for name in ALL_FIELDS}
        response["AdvancedInfo"] = answer.AdvancedInfo or "{}"
        if answer.ReflectDetailInfos is not None:
            response["ReflectDetailInfos"] = [
                {"Position": item.Position} for item in answer.ReflectDetailInfos
            ]
        response["RequestId"] = answer.RequestId or ""
        try:
            info = json.loads(str(response["AdvancedInfo"]))
        except ValueError:
            info = {}
        if not isinstance(info, dict):
            info = {}
        fields = IdCardFields(
            name=str(response["Name"]),
            sex=str(response["Sex"]),
            nation=str(response["Nation"]),
            birth=str(response["Birth"]),
            address=str(response["Address"]),
            id_num=str(response["IdNum"]),
            authority=str(response["Authority"]),
            valid_date=str(response["ValidDate"]),
        )
        if side is None:
            side = (
                CardSide.BACK
                if (fields.authority or fields.valid_date) and not fields.id_num
                else CardSide.FRONT
            )
        warnings = info.get("WarnInfos") or []
        quality = info.get("Quality")
        return BackendResult(
            backend=self.name,
            request_id=str(response["RequestId"]),
            side=side,
            fields=fields,
            response=response,
            warnings=[
                int(code)
                for code in warnings
                if isinstance(code, int | str) and str(code).lstrip("-").isdigit()
            ],
            quality=int(quality) if isinstance(quality, int | float) else None,
            card_jpeg=_b64(info.get("IdCard")),
            portrait_jpeg=_b64(info.get("Portrait")),
            elapsed_ms=(time.monotonic() - started) * 1000,
        )


def _b64(value: object) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value)
    except ValueError:
        return None
