"""The upload page's client side on its own: a very large photo dropped on a slot is scaled down before
anything is sent. No OCR is involved (only one side is chosen)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from onboarding.ocr.engine.types import CardSide
from onboarding.registration.specimens import specimen_jpeg
from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)

DROP = """(slot, [b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, { type: "image/jpeg" }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    slot.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }
}"""


def test_it_scales_down_a_very_large_photo_dropped_on_a_slot(
    live_server: Any, page: Page, phone: Page, artifacts: Path
) -> None:
    # A 4000x3000 phone photo of the specimen card (upscaled from the drawn one).
    small = specimen_jpeg(seed=3, side=CardSide.FRONT, today=timezone.localdate())
    big = io.BytesIO()
    Image.open(io.BytesIO(small)).resize((4000, 3000)).save(big, format="JPEG", quality=90)

    client = Client()
    client.force_login(User.objects.create_user(username="13612345678", password="qing-shan-lv-shui-7"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/register/")
    page.get_by_role("button", name="验证我的身份").click()
    expect(page.locator("#upload-form[data-ready]")).to_have_count(1)  # upload.js is deferred

    slot = page.locator("#slot-front")
    slot.evaluate(DROP, [base64.b64encode(big.getvalue()).decode(), "big.jpg"])
    expect(slot.locator(".meta")).to_have_text("2000 × 1500 · 已自动缩小")
    expect(slot.locator(".preview img")).to_be_visible()
    expect(page.locator("#upload-progress")).to_be_hidden()  # the back is still missing: nothing sent
    shot(page, artifacts, "40-upload-large-photo-dropped")

    # On a phone the camera button shows next to the file picker.
    phone.context.add_cookies(page.context.cookies())
    phone.goto(page.url)
    expect(phone.locator("#slot-front input[capture=environment]")).to_have_count(1)
    expect(phone.locator("#slot-front .camera-only")).to_be_visible()
    shot(phone, artifacts, "41-upload-phone")

    # The same page in English (the unsent photo is gone after the reload, as it should be).
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Upload both sides of your ID card")
    expect(page.locator("#slot-back .specimen")).to_have_text(
        "No card at hand? Download a specimen card photo to try it"
    )
    shot(page, artifacts, "42-upload-english")
