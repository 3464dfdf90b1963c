"""A reviewer signs in, claims, compares, approves one case and asks for new photos on another; the
applicant then reads the request on their status page. Debian's chromium through Playwright."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.servers.basehttp import WSGIServer
from django.test import Client
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from onboarding.core.lib.masking import mask_id_number
from onboarding.kyc.models import AuditEvent, Verification
from tests.browser.conftest import shot
from tests.review.conftest import (  # noqa: F401 (fixtures used by name)
    PASSWORD,
    Specimen,
    _fast_passwords,
    make_case,
    ocr,
    reviewer,
    specimens,
)

pytestmark = pytest.mark.django_db(transaction=True)


class _OneRequestAtATime(WSGIServer):
    """The test database is an in-memory SQLite shared by every server thread through one connection;
    the case page fetches five images at once and each fetch writes an audit event, which that shared
    connection cannot take in parallel. Serving one request at a time keeps the browser's parallel
    fetches but serialises them at the server."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer("localhost", start=False)
    server.thread.server_class = _OneRequestAtATime
    server.start()
    yield server
    server.stop()


REASON = "国徽面有强烈反光，有效期限看不清，请避开灯光重新拍摄。"
GLARE_PRESET = "证件有反光，部分文字看不清，请避开强光重新拍摄。"


def _row(page: Page, case: Verification) -> object:
    return page.locator(f'tr[data-case="{case.public_id}"]')


def test_it_lets_a_reviewer_work_the_queue_and_the_user_sees_the_request(
    live_server: object,
    browser: Browser,
    page: Page,
    artifacts: Path,
    request: pytest.FixtureRequest,
) -> None:
    # The review tests' fixtures, imported above; asked for by name so they are not shadowed here.
    new_case: Callable[..., Verification] = request.getfixturevalue("make_case")
    cards: list[Specimen] = request.getfixturevalue("specimens")
    me: User = request.getfixturevalue("reviewer")
    to_approve = new_case(0, warnings={"FRONT": [-9102]})
    to_retake = new_case(1, warnings={"BACK": [-9107]})
    assert to_approve.state == to_retake.state == "in_review"

    # Sign in through the console's own login page.
    page.goto(f"{live_server}/review/")
    expect(page).to_have_url(f"{live_server}/review/login/?next=/review/")
    page.locator("#id_username").fill(me.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#sign-in").click()
    expect(page.locator("#queue-table")).to_be_visible()
    expect(page.locator("#queue-table tbody tr")).to_have_count(2)
    page.set_viewport_size({"width": 1360, "height": 900})
    shot(page, artifacts, "review-01-queue")

    # Claim the first case from the queue: its page opens, claimed by us.
    _row(page, to_approve).locator('[data-action="claim"]').click()  # type: ignore[attr-defined]
    expect(page.locator("#claim-status")).to_be_visible()
    expect(page.locator("#fields tbody tr")).to_have_count(8)
    # Compare: zoom into the front photo, then ask for the full data (audited).
    front = page.locator('figure[data-side="FRONT"]')
    expect(front.locator(".zoom-frame img")).to_have_js_property("complete", True)
    assert front.locator(".zoom-frame img").evaluate("img => img.naturalWidth") > 0
    expect(page.locator("body[data-zoom-ready]")).to_have_count(1)
    front.locator('[data-zoom="in"]').click()
    front.locator('[data-zoom="in"]').click()
    expect(front.locator("[data-zoom-level]")).to_have_text("156%")
    image = front.locator(".zoom-frame img")
    before_drag = image.evaluate("img => img.style.transform")
    box = front.locator(".zoom-frame").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 40, steps=5)
    page.mouse.up()
    assert image.evaluate("img => img.style.transform") != before_drag  # dragged to pan
    front.screenshot(path=str(artifacts / "review-02a-zoomed-photo.png"))
    number = cards[0].identity.id_num
    expect(page.locator('tr[data-field="IdNum"] td.ocr')).to_have_text(mask_id_number(number))
    page.locator("#reveal").click()
    expect(page.locator('tr[data-field="IdNum"] td.ocr')).to_have_text(number)
    expect(page.locator('#signals li[data-warn="-9102"]')).to_be_visible()
    # Every photo and crop arrives (each through the permission-checked, audited image view).
    images = page.locator("img")
    assert images.count() == 5
    for i in range(5):
        expect(images.nth(i)).to_have_js_property("complete", True)
        assert images.nth(i).evaluate("img => img.naturalWidth") > 0
    shot(page, artifacts, "review-02-case")
    viewed = AuditEvent.objects.filter(verification=to_approve, action="pii.viewed", actor_label=me.username)
    assert any("IdNum" in event.after["fields"] for event in viewed)

    page.locator("#approve").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    expect(page.locator("#queue-table tbody tr")).to_have_count(1)

    # The second case: ask for a new photo of the back, with a reason the user will read.
    _row(page, to_retake).locator('[data-action="claim"]').click()  # type: ignore[attr-defined]
    page.locator("#resubmit-panel summary").click()
    page.locator('#resubmit-form input[value="BACK"]').check()
    # A common reason fills the text in one click; the reviewer may still edit it.
    page.locator("#resubmit-form .preset").nth(1).click()
    expect(page.locator("#resubmit-form textarea[name=reason]")).to_have_value(GLARE_PRESET)
    page.locator("#resubmit-form textarea[name=reason]").fill(REASON)
    shot(page, artifacts, "review-03-case-resubmit")
    page.locator("#resubmit").click()
    expect(page.locator("#queue-empty")).to_be_visible()

    to_approve.refresh_from_db()
    to_retake.refresh_from_db()
    assert to_approve.state == "approved" and to_approve.decided_by == me
    assert to_retake.state == "resubmission_requested" and to_retake.resubmission_sides == ["BACK"]

    # A decided case is read-only.
    page.goto(f"{live_server}/review/cases/{to_approve.public_id}/")
    expect(page.locator("#decided")).to_be_visible()
    expect(page.locator("#approve-form")).to_have_count(0)

    page.goto(f"{live_server}/review/numbers/?days=7")
    expect(page.locator(".charts svg")).to_have_count(5)
    shot(page, artifacts, "review-04-numbers")

    # The applicant signs in on their side and reads the request on the status page.
    session = Client()
    session.force_login(to_retake.user)
    applicant = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    applicant.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": str(live_server)}]
    )
    user_page = applicant.new_page()
    user_page.goto(f"{live_server}/register/v/{to_retake.public_id}/status/")
    expect(user_page.locator("#status")).to_have_attribute("data-state", "resubmission_requested")
    expect(user_page.locator("#status")).to_contain_text(REASON)
    shot(user_page, artifacts, "review-05-user-status")
    applicant.close()
