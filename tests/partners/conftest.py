"""Partner API fixtures: partners with keys, an authenticated client, small images, a webhook receiver."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image
from rest_framework.test import APIClient

from onboarding.partners import services
from onboarding.partners.models import ApiKey, Partner, Scope

ALL_SCOPES = [s.value for s in Scope]


def png_bytes(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (64, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class PartnerKey:
    partner: Partner
    api_key: ApiKey
    key: str

    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.key}")
        return client


def make_partner(name: str, scopes: list[str] | None = None) -> PartnerKey:
    partner = services.partner_create(name=name)
    api_key, key = services.api_key_create(partner=partner, name="test", scopes=scopes)
    return PartnerKey(partner=partner, api_key=api_key, key=key)


@pytest.fixture(autouse=True)
def _fresh_throttle_cache() -> Iterator[None]:
    # Throttle windows live in the cache, keyed by key id; ids repeat across rolled-back tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def acme(db: None) -> PartnerKey:
    return make_partner("Acme Lending", scopes=ALL_SCOPES)


@pytest.fixture
def globex(db: None) -> PartnerKey:
    return make_partner("Globex Pay", scopes=ALL_SCOPES)


@pytest.fixture
def api(acme: PartnerKey) -> APIClient:
    return acme.client()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    """A partner's webhook server on 127.0.0.1: verifies signatures the way docs/partners.md tells partners to."""

    url: str = ""
    secret: str = ""
    # What to do for each next request: an HTTP status, or ("sleep", seconds) then 200. Empty: 200.
    script: list[Any] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, header: str, body: bytes) -> bool:
        # The receiver code of the partner guide, verbatim in spirit: parse t= and v1=, recompute, compare.
        parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
        timestamp, signature = parts.get("t", ""), parts.get("v1", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, signature)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.received]


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    settings.PARTNER_WEBHOOK_TIMEOUT_SECONDS = 5.0  # generous: a busy machine must not fake a timeout
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                action = state.script.pop(0) if state.script else 200
                state.received.append(
                    Received(
                        headers={k: v for k, v in self.headers.items()},
                        body=body,
                        signature_ok=state.verify(self.headers.get("X-Signature", ""), body),
                    )
                )
            if isinstance(action, tuple):
                time.sleep(action[1])
                action = 200
            payload = b'{"ok": true}'
            try:
                self.send_response(int(action))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up (timeout): that is the point of the test

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/kyc"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def specimen() -> dict[str, Any]:
    """One adult holder with a card valid today, photographed square-on on both sides (drawn 样本 cards)."""
    import datetime
    import random

    from onboarding.ocr.engine.types import CardSide
    from onboarding.ocr.specimens import PhotoConditions, random_identity, specimen_photo

    today = datetime.date.today()
    rng = random.Random(11)
    person = random_identity(rng, today=today, valid_on=today)
    while (today - person.birth).days < 365 * 25:
        person = random_identity(rng, today=today, valid_on=today)
    front, _ = specimen_photo(rng, CardSide.FRONT, PhotoConditions(), today=today, identity=person)
    back, _ = specimen_photo(rng, CardSide.BACK, PhotoConditions(), today=today, identity=person)
    return {"front": front.jpeg, "back": back.jpeg, "fields": person.contract_fields(), "person": person}
