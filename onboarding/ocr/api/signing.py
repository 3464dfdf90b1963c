"""TC3-HMAC-SHA256: the signature of Tencent Cloud API 3.0, computed and verified. Pure: no Django imports.

A server takes the service and date from the client's Credential, the headers from the client's
SignedHeaders, and hashes the body bytes exactly as received, so any conforming client verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from onboarding.ocr.errors import ErrorCode, OcrError

ALGORITHM = "TC3-HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 300
# The SDK's opt-out of payload hashing (profile.unsignedPayload): the literal string is hashed instead.
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

_AUTHORIZATION_RE = re.compile(
    r"^TC3-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed_headers>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]{64})\s*$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Authorization:
    """The parsed Authorization header."""

    secret_id: str
    date: str  # YYYY-MM-DD (UTC)
    service: str
    signed_headers: tuple[str, ...]  # lower-case, in the client's order
    signature: str  # lower-case hex


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def parse_authorization(header: str) -> Authorization:
    """Parse `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX`."""
    match = _AUTHORIZATION_RE.match(header.strip())
    if match is None:
        raise OcrError(ErrorCode.AUTH_INVALID_AUTHORIZATION)
    parts = match["credential"].split("/")
    if len(parts) != 4 or parts[3] != "tc3_request" or not all(parts) or not _DATE_RE.match(parts[1]):
        raise OcrError(
            ErrorCode.AUTH_INVALID_AUTHORIZATION, "Credential 格式错误。", detail_en="Bad Credential."
        )
    signed = tuple(name.strip().lower() for name in match["signed_headers"].split(";"))
    if not all(signed) or "host" not in signed or "content-type" not in signed:
        raise OcrError(
            ErrorCode.AUTH_INVALID_AUTHORIZATION,
            "SignedHeaders 至少包含 content-type 与 host。",
            detail_en="SignedHeaders must include content-type and host.",
        )
    return Authorization(
        secret_id=parts[0],
        date=parts[1],
        service=parts[2],
        signed_headers=signed,
        signature=match["signature"].lower(),
    )


def canonical_request(
    *,
    method: str,
    query_string: str,
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    payload_hash: str,
    lowercase_values: bool = False,
) -> str:
    """The CanonicalRequest. `headers` maps lower-case names to values; the query string is used as sent
    (the SDK signs GET with exactly the urlencoded string it puts after `?`), empty for POST."""
    lines = []
    for name in sorted(signed_headers):
        value = headers.get(name, "").strip()
        lines.append(f"{name}:{value.lower() if lowercase_values else value}\n")
    return "\n".join(
        [
            method.upper(),
            "/",
            query_string if method.upper() == "GET" else "",
            "".join(lines),
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def string_to_sign(*, timestamp: str, date: str, service: str, canonical: str) -> str:
    return "\n".join(
        [ALGORITHM, timestamp, f"{date}/{service}/tc3_request", _sha256_hex(canonical.encode("utf-8"))]
    )


def signature(*, secret_key: str, date: str, service: str, to_sign: str) -> str:
    """hex(HMAC(kSigning, StringToSign)) with kSigning derived from the secret, date and service."""
    k_date = _hmac(f"TC3{secret_key}".encode(), date)
    k_service = _hmac(k_date, service)
    k_signing = _hmac(k_service, "tc3_request")
    return hmac.new(k_signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def payload_hash(*, body: bytes, headers: Mapping[str, str]) -> str:
    if headers.get("x-tc-content-sha256", "").strip() == UNSIGNED_PAYLOAD:
        return _sha256_hex(UNSIGNED_PAYLOAD.encode("ascii"))
    return _sha256_hex(body)


def sign_request(
    *,
    secret_id: str,
    secret_key: str,
    method: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    timestamp: int,
    service: str = "ocr",
    signed_headers: tuple[str, ...] = ("content-type", "host"),
) -> str:
    """The Authorization header a client would send (used by tests and tools; the SDK has its own)."""
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    lower = {k.lower(): v for k, v in headers.items()}
    canonical = canonical_request(
        method=method,
        query_string=query_string,
        headers=lower,
        signed_headers=signed_headers,
        payload_hash=payload_hash(body=body, headers=lower),
    )
    sig = signature(
        secret_key=secret_key,
        date=date,
        service=service,
        to_sign=string_to_sign(timestamp=str(timestamp), date=date, service=service, canonical=canonical),
    )
    return (
        f"{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, "
        f"SignedHeaders={';'.join(signed_headers)}, Signature={sig}"
    )


def verify_request(
    *,
    method: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    lookup_secret: Callable[[str], str | None],
) -> Authorization:
    """Verify a TC3-HMAC-SHA256 request; return the parsed Authorization or raise OcrError (AuthFailure.*).

    `headers` maps lower-case header names to values. `lookup_secret` returns the SecretKey of an active
    SecretId, or None when the id is unknown or revoked.
    """
    header = headers.get("authorization", "")
    if not header:
        raise OcrError(ErrorCode.AUTH_INVALID_AUTHORIZATION, "缺少 Authorization。", detail_en="Missing.")
    auth = parse_authorization(header)
    timestamp = headers.get("x-tc-timestamp", "").strip()
    if not timestamp.isdigit():
        raise OcrError(
            ErrorCode.AUTH_INVALID_AUTHORIZATION,
            "X-TC-Timestamp 缺失或无效。",
            detail_en="X-TC-Timestamp is missing or invalid.",
        )
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise OcrError(ErrorCode.AUTH_SIGNATURE_EXPIRE)
    secret_key = lookup_secret(auth.secret_id)
    if secret_key is None:
        raise OcrError(ErrorCode.AUTH_SECRET_ID_NOT_FOUND)
    digest = payload_hash(body=body, headers=headers)
    # Clients put header values as sent; some implementations lower-case them (the written spec says
    # so). Accept either reading, each compared in constant time.
    variants = (
        [False, True]
        if any(headers.get(n, "") != headers.get(n, "").lower() for n in auth.signed_headers)
        else [False]
    )
    ok = False
    for lowercase_values in variants:
        canonical = canonical_request(
            method=method,
            query_string=query_string,
            headers=headers,
            signed_headers=auth.signed_headers,
            payload_hash=digest,
            lowercase_values=lowercase_values,
        )
        expected = signature(
            secret_key=secret_key,
            date=auth.date,
            service=auth.service,
            to_sign=string_to_sign(
                timestamp=timestamp, date=auth.date, service=auth.service, canonical=canonical
            ),
        )
        ok = hmac.compare_digest(expected.encode("ascii"), auth.signature.encode("ascii")) or ok
    if not ok:
        raise OcrError(ErrorCode.AUTH_SIGNATURE_FAILURE)
    return auth


# --- The older API 3.0 signature (HmacSHA256 / HmacSHA1 over the parameters), which the SDKs still offer
# (ClientProfile(signMethod="HmacSHA256")) and the seed's GET examples use (`&<公共请求参数>`).
_V1_METHODS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}


def v1_string_to_sign(*, method: str, host: str, params: Mapping[str, str]) -> str:
    """METHOD + host + "/?" + the parameters (Signature excluded, `_` read as `.`) sorted, joined raw."""
    items = sorted((name.replace("_", "."), value) for name, value in params.items() if name != "Signature")
    return f"{method.upper()}{host}/?" + "&".join(f"{name}={value}" for name, value in items)


def v1_signature(*, secret_key: str, to_sign: str, method: str = "HmacSHA256") -> str:
    digest = hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), _V1_METHODS[method]).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_v1_request(
    *,
    method: str,
    host: str,
    params: Mapping[str, str],
    now: float,
    lookup_secret: Callable[[str], str | None],
) -> str:
    """Verify a request signed with the older parameter signature; return its SecretId or raise OcrError."""
    secret_id = params.get("SecretId", "")
    sign_method = params.get("SignatureMethod") or "HmacSHA1"  # the protocol's default when absent
    timestamp = params.get("Timestamp", "")
    given = params.get("Signature", "")
    if not secret_id or not given or sign_method not in _V1_METHODS or not timestamp.isdigit():
        raise OcrError(
            ErrorCode.AUTH_INVALID_AUTHORIZATION,
            "签名参数缺失或无效。",
            detail_en="The signature parameters are missing or invalid.",
        )
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise OcrError(ErrorCode.AUTH_SIGNATURE_EXPIRE)
    secret_key = lookup_secret(secret_id)
    if secret_key is None:
        raise OcrError(ErrorCode.AUTH_SECRET_ID_NOT_FOUND)
    expected = v1_signature(
        secret_key=secret_key,
        to_sign=v1_string_to_sign(method=method, host=host, params=params),
        method=sign_method,
    )
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8")):
        raise OcrError(ErrorCode.AUTH_SIGNATURE_FAILURE)
    return secret_id
