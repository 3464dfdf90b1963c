"""The end user's flow in Debian's chromium against the live server, with drawn specimen photos read by the
real engine (Celery eager: the upload request itself waits for the OCR task)."""

from __future__ import annotations

import datetime
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from onboarding.identity import validate_card
from onboarding.kyc import catalog
from onboarding.kyc.models import FieldValue, State, Verification
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.specimens import Identity, random_identity
from onboarding.registration.specimens import specimen_identity, specimen_jpeg
from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 7
PASSWORD = "qing-shan-lv-shui-7"
CHANGED = re.compile(r"\bchanged\b")


def photo(name: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/jpeg", "buffer": content}


@pytest.fixture(scope="module")
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture(scope="module")
def valid_pair(today: datetime.date) -> tuple[Identity, bytes, bytes]:
    person = specimen_identity(seed=SEED, today=today)
    return (
        person,
        specimen_jpeg(seed=SEED, side=CardSide.FRONT, today=today, identity=person),
        specimen_jpeg(seed=SEED, side=CardSide.BACK, today=today, identity=person),
    )


@pytest.fixture(scope="module")
def warm_engine(valid_pair: tuple[Identity, bytes, bytes]) -> None:
    """Load the OCR models once (the live server runs in this process), so the timing below is a warm one."""
    from onboarding.kyc.services import ocr_config
    from onboarding.ocr.backends import get_backend

    started = time.perf_counter()
    get_backend().recognize(valid_pair[1], side=None, config=ocr_config())
    print(f"\nengine warm-up (model load + one read): {time.perf_counter() - started:.2f} s")


@pytest.fixture(scope="module")
def expired_pair(today: datetime.date) -> tuple[Identity, bytes, bytes]:
    """An adult whose card ran out a few months ago (a consistent validity period, just over)."""
    for seed in range(1, 5000):
        person = random_identity(random.Random(seed), today=today)
        adult = (today - person.birth).days > 20 * 366
        if adult and person.valid_to is not None and person.valid_to < today - datetime.timedelta(days=90):
            break
    else:  # pragma: no cover - the generator makes expired cards often
        pytest.fail("no expired specimen identity found")
    return (
        person,
        specimen_jpeg(seed=SEED, side=CardSide.FRONT, today=today, identity=person),
        specimen_jpeg(seed=SEED, side=CardSide.BACK, today=today, identity=person),
    )


def signed_in(page: Page, live_server: Any, username: str) -> Page:
    """Sign ``page`` in through a session cookie (the sign-up form has its own test)."""
    user = User.objects.create_user(username=username, password=PASSWORD)
    client = Client()
    client.force_login(user)
    context: BrowserContext = page.context
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def wait_for_form(page: Page) -> None:
    """Wait until the upload page navigates to the form, or says why it cannot (then fail with that)."""
    page.wait_for_function(
        "() => location.pathname.endsWith('/form/') || document.getElementById('upload-error')?.hidden === false",
        timeout=120_000,  # generous: the engine shares two cores with whatever else the machine runs
    )
    if not page.url.endswith("/form/"):
        errors = page.locator(".slot-error, #upload-error").all_text_contents()
        pytest.fail(f"the photos were not read: {[e for e in errors if e.strip()]}")
    expect(page.locator("#id_IdNum")).to_be_visible()


def open_upload_page(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/register/")
    page.get_by_role("button", name="验证我的身份").click()
    expect(page).to_have_url(re.compile(r".*/upload/$"))
    # upload.js is deferred; files chosen before it listens would be missed.
    expect(page.locator("#upload-form[data-ready]")).to_have_count(1)


def test_it_runs_the_whole_flow_from_sign_up_to_the_status_page(
    live_server: Any,
    page: Page,
    phone: Page,
    artifacts: Path,
    valid_pair: tuple[Identity, bytes, bytes],
    warm_engine: None,
) -> None:
    person, front, back = valid_pair
    page.goto(f"{live_server.url}/register/signup/")
    page.get_by_label("手机号或邮箱").fill("li.ming@example.com")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册并继续").click()
    page.get_by_role("button", name="验证我的身份").click()
    expect(page.locator("#slot-front")).to_be_visible()
    shot(page, artifacts, "10-upload-empty")

    # The specimen link downloads a drawn 样本 photo.
    with page.expect_download() as download:
        page.locator("#slot-front a.specimen").click()
    assert Path(download.value.path()).read_bytes().startswith(b"\xff\xd8\xff")

    page.locator("#slot-front input[data-kind=file]").set_input_files(photo("front.jpg", front))
    expect(page.locator("#slot-front .preview img")).to_be_visible()
    expect(page.locator("#slot-front")).to_have_class("slot filled")
    shot(page, artifacts, "11-upload-front-chosen")

    started = time.perf_counter()
    page.locator("#slot-back input[data-kind=file]").set_input_files(photo("back.jpg", back))
    wait_for_form(page)
    elapsed = time.perf_counter() - started
    print(f"\nsecond file chosen -> prefilled form: {elapsed:.2f} s (issue 6 target: < 3 s)")

    expected = person.contract_fields()
    shown = {name: page.locator(f"#id_{name}").input_value() for name in expected}
    read = dict(
        FieldValue.objects.filter(verification__user__username="li.ming@example.com").values_list(
            "name", "ocr_value"
        )
    )
    assert shown == read
    assert shown["IdNum"] == person.id_num
    shot(page, artifacts, "12-form-prefilled")
    # A user fixes what the engine misread (none, on a good day).
    for name, value in expected.items():
        if shown[name] != value:
            print(f"engine misread {name}: {shown[name]!r}")
            page.locator(f"#id_{name}").fill(value)

    corrected = person.address + "附1号"
    page.locator("#id_Address").fill(corrected)
    expect(page.locator('.field[data-field="Address"]')).to_have_class(CHANGED)
    expect(page.locator('.field[data-field="Name"]')).not_to_have_class(CHANGED)
    shot(page, artifacts, "13-form-address-changed")

    page.get_by_role("button", name="确认并提交").click()
    expect(page).to_have_url(re.compile(r".*/status/$"))
    verification = Verification.objects.get(user__username="li.ming@example.com")
    assert verification.state in (State.AUTO_APPROVED, State.IN_REVIEW)
    expect(page.locator("#status")).to_have_attribute("data-state", verification.state)
    expect(page.locator(".status-badge")).to_have_text(
        "已通过" if verification.state == State.AUTO_APPROVED else "审核中"
    )
    address = FieldValue.objects.get(verification=verification, name="Address")
    assert (address.ocr_value, address.user_value, address.changed) == (read["Address"], corrected, True)
    assert person.id_num not in page.content()  # masked on the status page
    shot(page, artifacts, "14-status")

    # The same pages on a phone.
    phone.context.add_cookies(page.context.cookies())
    phone.goto(page.url)
    shot(phone, artifacts, "15-status-phone")
    phone.goto(f"{live_server.url}/register/")
    shot(phone, artifacts, "16-start-phone")


def test_it_says_so_when_the_back_is_uploaded_as_the_front(
    live_server: Any, page: Page, artifacts: Path, valid_pair: tuple[Identity, bytes, bytes]
) -> None:
    _, _front, back = valid_pair
    open_upload_page(signed_in(page, live_server, "13912345678"), live_server)
    page.locator("#slot-front input[data-kind=file]").set_input_files(photo("back-as-front.jpg", back))
    page.locator("#slot-back input[data-kind=file]").set_input_files(photo("back.jpg", back))
    message = catalog.wrong_side("FRONT").message_zh
    expect(page.locator("#slot-front .slot-error")).to_have_text(message, timeout=120_000)
    expect(page.locator("#slot-back .slot-error")).to_have_text("")
    expect(page.locator("#upload-error")).to_be_visible()
    assert page.url.endswith("/upload/")
    shot(page, artifacts, "20-wrong-side")
    # Reloading shows the same reason, from the server this time.
    page.reload()
    expect(page.locator("#reupload-reason")).to_contain_text(message)
    shot(page, artifacts, "21-wrong-side-reloaded")


def test_it_points_at_the_validity_period_of_an_expired_card(
    live_server: Any,
    page: Page,
    artifacts: Path,
    today: datetime.date,
    expired_pair: tuple[Identity, bytes, bytes],
) -> None:
    person, front, back = expired_pair
    open_upload_page(signed_in(page, live_server, "13712345678"), live_server)
    page.locator("#slot-front input[data-kind=file]").set_input_files(photo("front.jpg", front))
    page.locator("#slot-back input[data-kind=file]").set_input_files(photo("back.jpg", back))
    wait_for_form(page)

    fields = person.contract_fields()
    expired = next(
        f for f in validate_card(front=fields, back=fields, today=today) if f.code == "valid_date.expired"
    )
    valid_date = page.locator('.field[data-field="ValidDate"]')
    expect(valid_date.locator(".error")).to_contain_text(expired.message_zh)
    shot(page, artifacts, "30-expired-form")

    page.get_by_role("button", name="确认并提交").click()
    expect(page.locator("#submit-refused")).to_be_visible()
    expect(valid_date.locator(".error")).to_contain_text(expired.message_zh)
    assert Verification.objects.get(user__username="13712345678").state == State.NEEDS_INPUT

    page.get_by_role("button", name="English").click()
    expect(valid_date.locator(".error")).to_contain_text(expired.message_en)
    shot(page, artifacts, "31-expired-form-english")
