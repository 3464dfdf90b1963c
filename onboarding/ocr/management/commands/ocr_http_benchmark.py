"""Benchmark the IDCardOCR endpoint over HTTP: concurrent official-SDK clients on loopback for a bounded
time; prints sustained requests per second and p50/p99 latency.

Without --endpoint it serves this project in-process (one worker process, threaded) on 127.0.0.1 with a
temporary credential, so the figure is "per worker process"; with --endpoint it measures a running server
(pass --secret-id/--secret-key).
"""

from __future__ import annotations

import base64
import json
import logging
import random
import statistics
import threading
import time
from datetime import date
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandParser
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.ocr.v20181119 import models as ocr_models
from tencentcloud.ocr.v20181119.ocr_client import OcrClient

from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.models import ApiCredential
from onboarding.ocr.services import credential_create


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class Command(BaseCommand):
    help = "Concurrent SDK clients against the IDCardOCR endpoint for a bounded time: req/s, p50, p99."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--endpoint", help="host:port of a running server (default: serve in-process)")
        parser.add_argument("--secret-id", default="")
        parser.add_argument("--secret-key", default="")
        parser.add_argument("--clients", type=int, default=2, help="concurrent clients (default 2)")
        parser.add_argument("--seconds", type=float, default=20.0, help="measuring time (default 20)")
        parser.add_argument(
            "--images", type=int, default=4, help="distinct specimen photos per side (default 4)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--config", default="{}", help="the Config parameter sent with every request")
        parser.add_argument(
            "--random-conditions",
            action="store_true",
            help="photos under random conditions (default: clean, square-on photos, so errors stay rare)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from onboarding.ocr.specimens import PhotoConditions, specimen_photo

        if options["verbosity"] < 2:  # one log line per request would drown the report
            logging.getLogger("onboarding.ocr.api").setLevel(logging.WARNING)
        rng = random.Random(options["seed"])  # noqa: S311 (reproducible test images, not secrets)
        photos: list[tuple[str, str]] = []
        for side in (CardSide.FRONT, CardSide.BACK):
            for _ in range(options["images"]):
                conditions = None if options["random_conditions"] else PhotoConditions()
                photo, _identity = specimen_photo(rng, side, conditions, today=date(2026, 1, 1))
                photos.append((side.value, base64.b64encode(photo.jpeg).decode("ascii")))

        server: _ThreadingServer | None = None
        credential: ApiCredential | None = None
        endpoint = options["endpoint"]
        secret_id, secret_key = options["secret_id"], options["secret_key"]
        if not endpoint:
            credential, secret_key = credential_create(name="ocr_http_benchmark (temporary)")
            secret_id = credential.secret_id
            server = make_server(
                "127.0.0.1", 0, WSGIHandler(), server_class=_ThreadingServer, handler_class=_QuietHandler
            )
            threading.Thread(target=server.serve_forever, daemon=True).start()
            endpoint = f"127.0.0.1:{server.server_address[1]}"
        try:
            latencies, errors = self._run(
                endpoint=endpoint,
                secret_id=secret_id,
                secret_key=secret_key,
                photos=photos,
                clients=options["clients"],
                seconds=options["seconds"],
                config=options["config"],
            )
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
            if credential is not None:
                credential.delete()
        total = len(latencies) + sum(errors.values())
        report = {
            "endpoint": endpoint,
            "in_process_server": server is not None,
            "clients": options["clients"],
            "seconds": options["seconds"],
            "requests": total,
            "ok": len(latencies),
            "errors": errors,
            "req_per_s": round(len(latencies) / options["seconds"], 2),
            "p50_ms": round(_percentile(latencies, 0.50), 1),
            "p99_ms": round(_percentile(latencies, 0.99), 1),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _run(
        self,
        *,
        endpoint: str,
        secret_id: str,
        secret_key: str,
        photos: list[tuple[str, str]],
        clients: int,
        seconds: float,
        config: str,
    ) -> tuple[list[float], dict[str, int]]:
        latencies: list[float] = []
        errors: dict[str, int] = {}
        lock = threading.Lock()
        # Warm-up: the first read loads the models; it is not part of the measurement.
        self._call(self._client(endpoint, secret_id, secret_key), photos[0], config)
        deadline = time.monotonic() + seconds

        def worker(index: int) -> None:
            client = self._client(endpoint, secret_id, secret_key)
            n = index
            while time.monotonic() < deadline:
                started = time.monotonic()
                code = self._call(client, photos[n % len(photos)], config)
                elapsed = (time.monotonic() - started) * 1000
                n += clients
                if time.monotonic() > deadline:
                    break  # finished after the bell: not counted, so req/s is not inflated
                with lock:
                    if code == "OK":
                        latencies.append(elapsed)
                    else:
                        errors[code] = errors.get(code, 0) + 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return latencies, errors

    @staticmethod
    def _client(endpoint: str, secret_id: str, secret_key: str) -> OcrClient:
        profile = ClientProfile(httpProfile=HttpProfile(endpoint=endpoint, protocol="http", reqTimeout=60))
        return OcrClient(Credential(secret_id, secret_key), "ap-guangzhou", profile)

    @staticmethod
    def _call(client: OcrClient, photo: tuple[str, str], config: str) -> str:
        request = ocr_models.IDCardOCRRequest()
        request.CardSide, request.ImageBase64 = photo
        request.Config = config
        try:
            client.IDCardOCR(request)
        except TencentCloudSDKException as exc:
            return str(exc.get_code())
        return "OK"
