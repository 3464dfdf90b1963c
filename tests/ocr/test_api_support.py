"""Helpers for the API tests: the official SDK pointed at the live server, raw signed requests, and a
local HTTP server for ImageUrl (no tests here)."""

from __future__ import annotations

import base64
import http.server
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from PIL import Image
from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.ocr.v20181119.ocr_client import OcrClient

from onboarding.ocr.api.signing import sign_request


@dataclass
class Pair:
    secret_id: str
    secret_key: str


def endpoint_of(url: str) -> str:
    return url.removeprefix("http://").rstrip("/")


def sdk_client(url: str, pair: Pair, *, method: str = "POST", language: str | None = None) -> OcrClient:
    """The official client, unchanged, pointed at our endpoint."""
    http_profile = HttpProfile(endpoint=endpoint_of(url), protocol="http", reqMethod=method, reqTimeout=120)
    profile = ClientProfile(httpProfile=http_profile)
    if language:
        profile.language = language
    return OcrClient(Credential(pair.secret_id, pair.secret_key), "ap-guangzhou", profile)


def signed_post(
    url: str, pair: Pair, body: bytes, *, action: str = "IDCardOCR", timestamp: int | None = None
) -> requests.Response:
    """A raw POST signed like the SDK signs it, for requests the SDK cannot make (malformed JSON...)."""
    host = endpoint_of(url)
    headers = {"Content-Type": "application/json", "Host": host}
    ts = int(time.time()) if timestamp is None else timestamp
    authorization = sign_request(
        secret_id=pair.secret_id,
        secret_key=pair.secret_key,
        method="POST",
        query_string="",
        headers=headers,
        body=body,
        timestamp=ts,
    )
    headers |= {
        "Authorization": authorization,
        "X-TC-Action": action,
        "X-TC-Version": "2018-11-19",
        "X-TC-Timestamp": str(ts),
    }
    return requests.post(url + "/", data=body, headers=headers, timeout=30)


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, format="GIF")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def response_of(raw: requests.Response) -> dict[str, object]:
    data = json.loads(raw.content)
    assert isinstance(data, dict)
    response = data["Response"]
    assert isinstance(response, dict)
    return response


@contextmanager
def file_server(handler: Callable[[http.server.BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A threaded local HTTP server whose GET is `handler`; yields its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handler(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def serve_bytes(
    data: bytes, *, content_type: str = "image/jpeg"
) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def handler(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    return handler


def trickle(data: bytes, *, delay: float) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    """Answer promptly, then send the body one byte per `delay` seconds (a too-slow image host)."""

    def handler(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "image/jpeg")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        try:
            for byte in data:
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(delay)
        except OSError:
            pass

    return handler


def redirect_to(location: str) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def handler(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(302)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handler
