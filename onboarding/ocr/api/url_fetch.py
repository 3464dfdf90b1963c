"""Download of ImageUrl, guarded against server-side request forgery. No Django imports.

Every hop (the URL and each redirect) is resolved, every address checked, and the connection made to the
address that was checked (the Host header and TLS name stay the URL's), so a DNS answer that changes
between check and connect (rebinding) cannot reach an internal address. One deadline covers the
whole download, including a server that trickles bytes; the body is capped while streaming.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from onboarding.ocr.errors import ErrorCode, OcrError

MAX_REDIRECTS = 5
_CHUNK = 16 * 1024
# Cloud metadata services that are not caught by the address-class checks on every platform.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254", "168.63.129.16")
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _fail(zh: str, en: str) -> OcrError:
    return OcrError(ErrorCode.DOWNLOAD_ERROR, zh, detail_en=en)


def address_refused(address: IPAddress, *, allow_loopback: bool) -> bool:
    """True for loopback, private, link-local, multicast, reserved, unspecified and metadata addresses."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return not allow_loopback
    if address in _METADATA_ADDRESSES:
        return True
    return (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve_checked(host: str, port: int, *, allow_loopback: bool) -> IPAddress:
    """Resolve a host and return an address to connect to; refuse if ANY of its addresses is internal."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise _fail(f"无法解析域名 {host}。", f"Cannot resolve {host}.") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise _fail(f"无法解析域名 {host}。", f"Cannot resolve {host}.")
    for address in addresses:
        if address_refused(address, allow_loopback=allow_loopback):
            raise _fail(
                "不允许访问内部网络地址。",
                f"The URL resolves to a refused address ({address}).",
            )
    return addresses[0]


class _PinnedAdapter(HTTPAdapter):
    """Connects to a literal IP while TLS verifies the certificate for the URL's host name."""

    def __init__(self, server_hostname: str) -> None:
        self._server_hostname = server_hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params.get("scheme") == "https":
            extra: dict[str, Any] = dict(pool_kwargs)
            extra["server_hostname"] = self._server_hostname
            extra["assert_hostname"] = self._server_hostname
            return host_params, extra
        return host_params, pool_kwargs


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _fail("图片下载超时。", "The download took longer than allowed.")
    return left


def fetch_image(url: str, *, timeout: float = 3.0, max_bytes: int, allow_loopback: bool = False) -> bytes:
    """Download an image by URL within `timeout` seconds in all and at most `max_bytes` bytes.

    Raises OcrError(FailedOperation.DownLoadError) with the reason, or LimitExceeded.TooLargeFileError.
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https"):
            raise _fail("只支持 http 与 https 地址。", "Only http and https URLs are supported.")
        host = parts.hostname
        if not host:
            raise _fail("URL 缺少主机名。", "The URL has no host.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise _fail("URL 端口无效。", "The URL port is invalid.") from None
        address = resolve_checked(host, port, allow_loopback=allow_loopback)
        literal = f"[{address}]" if address.version == 6 else str(address)
        pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        default_port = (parts.scheme == "https" and port == 443) or (parts.scheme == "http" and port == 80)
        host_header = host if default_port else f"{host}:{port}"
        if ":" in host and not default_port:
            host_header = f"[{host}]:{port}"
        elif ":" in host:
            host_header = f"[{host}]"
        with requests.Session() as session:
            session.trust_env = False  # a proxy from the environment would bypass the address check
            session.mount(f"{parts.scheme}://", _PinnedAdapter(host))
            try:
                left = _remaining(deadline)
                response = session.get(
                    pinned,
                    # identity: no decompression, so the size cap counts the bytes that arrive
                    headers={
                        "Host": host_header,
                        "User-Agent": "idcard-onboarding-ocr/1",
                        "Accept-Encoding": "identity",
                    },
                    timeout=(left, left),
                    stream=True,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                raise _fail("图片下载失败。", f"Connection failed ({type(exc).__name__}).") from None
            with response:
                if response.is_redirect:
                    location = response.headers.get("Location", "")
                    if not location:
                        raise _fail("重定向缺少 Location。", "A redirect without Location.")
                    current = urljoin(current, location)
                    continue
                if response.status_code != 200:
                    raise _fail(
                        f"图片下载失败，HTTP 状态码 {response.status_code}。",
                        f"The server answered HTTP {response.status_code}.",
                    )
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise OcrError(
                        ErrorCode.TOO_LARGE_FILE, "下载的图片超过 3M。", detail_en="The image exceeds 3 MB."
                    )
                body = bytearray()
                connection = getattr(response.raw, "connection", None)
                sock = getattr(connection, "sock", None)
                try:
                    while True:
                        # read1 returns what one receive gives, so a trickling server meets the deadline
                        # check after every few bytes, and each receive may wait only for the time left.
                        left = _remaining(deadline)
                        if sock is not None:
                            sock.settimeout(left)
                        chunk = response.raw.read1(_CHUNK, decode_content=True)
                        if not chunk:
                            break
                        body.extend(chunk)
                        if len(body) > max_bytes:
                            raise OcrError(
                                ErrorCode.TOO_LARGE_FILE,
                                "下载的图片超过 3M。",
                                detail_en="The image exceeds 3 MB.",
                            )
                except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                    if isinstance(exc, TimeoutError | socket.timeout | urllib3.exceptions.TimeoutError):
                        raise _fail("图片下载超时。", "The download took longer than allowed.") from None
                    raise _fail("图片下载失败。", f"The download broke off ({type(exc).__name__}).") from None
                _remaining(deadline)
                return bytes(body)
    raise _fail("重定向次数过多。", "Too many redirects.")
