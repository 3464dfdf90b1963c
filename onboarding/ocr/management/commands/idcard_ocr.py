"""Read ID-card images with the local engine: one JSON line per image, `{"file": PATH, "Response": {...}}`.

The Response is exactly what the API would answer (all fields, AdvancedInfo as a JSON string, RequestId,
or the Error), because both go through onboarding.ocr.api.contract.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from onboarding.ocr.api import contract
from onboarding.ocr.errors import ErrorCode, OcrError


class Command(BaseCommand):
    help = "Read ID-card images (JPEG/PNG) and print the IDCardOCR Response of each as one JSON line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("images", nargs="+", metavar="IMAGE")
        parser.add_argument("--side", choices=["FRONT", "BACK"], help="the side to read (default: detect)")
        parser.add_argument("--config", help="the Config parameter, e.g. '{\"CropIdCard\": true}'")
        parser.add_argument("--language", default="zh-CN", choices=["zh-CN", "en-US"], help="error messages")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for path in options["images"]:
            envelope = self._read(
                path, side=options["side"], config=options["config"], language=options["language"]
            )
            if contract.outcome_code(envelope) != "OK":
                failed += 1
            line = {"file": path, "Response": envelope["Response"]}
            self.stdout.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        if failed:
            raise SystemExit(1)

    def _read(self, path: str, *, side: str | None, config: str | None, language: str) -> dict[str, object]:
        try:
            image = Path(path).read_bytes()
        except OSError as exc:
            error = OcrError(
                ErrorCode.INVALID_PARAMETER_VALUE,
                f"无法读取文件（{exc.strerror}）。",
                detail_en=f"Cannot read the file ({exc.strerror}).",
            )
            return {
                "Response": contract.error_response(
                    error, request_id=contract.new_request_id(), language=language
                )
            }
        params: dict[str, object] = {"ImageBase64": base64.b64encode(image).decode("ascii")}
        if side:
            params["CardSide"] = side
        if config is not None:
            params["Config"] = config
        if not image:
            error = OcrError(ErrorCode.EMPTY_IMAGE)
            return {
                "Response": contract.error_response(
                    error, request_id=contract.new_request_id(), language=language
                )
            }
        return contract.handle(
            params, language=language, invalid_date_warn_code=settings.OCR_INVALID_DATE_WARN_CODE
        )
