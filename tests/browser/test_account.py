from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_signs_up_from_the_landing_page_then_asks_to_verify(
    live_server: object, page: Page, artifacts: Path
) -> None:
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="开始核验").click()
    expect(page).to_have_url(f"{live_server}/register/")
    shot(page, artifacts, "01-register-start")
    page.get_by_role("link", name="注册", exact=True).first.click()
    page.get_by_label("手机号或邮箱").fill("139 1234 5678")
    page.get_by_label("密码", exact=True).fill("qing-shan-lv-shui-7")
    page.get_by_label("确认密码").fill("qing-shan-lv-shui-7")
    shot(page, artifacts, "02-signup")
    page.get_by_role("button", name="注册并继续").click()
    expect(page.locator("header .who")).to_have_text("13912345678")
    assert User.objects.filter(username="13912345678").exists()
    shot(page, artifacts, "03-signed-in")


def test_it_switches_the_sign_in_page_to_english(live_server: object, page: Page) -> None:
    page.goto(f"{live_server}/register/login/")
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Sign in")
