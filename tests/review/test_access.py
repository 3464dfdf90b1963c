"""Who may use which console view: anonymous users sign in, other staff get 403, reviewers get in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from onboarding.kyc.models import Verification
from tests.review.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

GET_VIEWS = ("review:queue", "review:numbers", "review:case")
POST_VIEWS = (
    "review:claim",
    "review:release",
    "review:reveal",
    "review:approve",
    "review:reject",
    "review:resubmit",
)


def _url(name: str, case: Verification) -> str:
    if name in ("review:queue", "review:numbers"):
        return reverse(name)
    return reverse(name, kwargs={"public_id": case.public_id})


@pytest.fixture
def case(make_case: Callable[..., Verification]) -> Verification:
    return make_case()


def test_it_creates_the_reviewers_group_with_the_console_and_data_permissions() -> None:
    group = Group.objects.get(name="reviewers")
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert perms == {"review.access_console", "kyc.review_verification", "kyc.view_personal_data"}


@pytest.mark.parametrize("name", GET_VIEWS + POST_VIEWS)
def test_it_sends_anonymous_users_to_the_staff_sign_in(name: str, case: Verification) -> None:
    url = _url(name, case)
    response = client_for(None).get(url) if name in GET_VIEWS else client_for(None).post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("review:login") + "?next=")


@pytest.mark.parametrize("name", GET_VIEWS + POST_VIEWS)
@pytest.mark.parametrize("who", ["applicant", "staff"])
def test_it_forbids_users_without_the_reviewer_role(
    name: str, who: str, case: Verification, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(who)
    url = _url(name, case)
    client = client_for(user)
    response = client.get(url) if name in GET_VIEWS else client.post(url, {"expected_version": case.version})
    assert response.status_code == 403
    assert b'id="forbidden"' in response.content and user.username.encode() in response.content
    case.refresh_from_db()
    assert case.state == "in_review" and case.claimed_by_id is None


@pytest.mark.parametrize("name", GET_VIEWS)
def test_it_lets_reviewers_see_every_page(name: str, case: Verification, reviewer: User) -> None:
    response = client_for(reviewer).get(_url(name, case))
    assert response.status_code == 200
    assert reviewer.get_username().encode() in response.content


def test_it_lets_a_console_only_user_look_but_not_decide_or_unmask(case: Verification) -> None:
    from django.contrib.auth.models import Permission

    analyst = make_user("analyst", staff=True)
    analyst.user_permissions.add(
        Permission.objects.get(content_type__app_label="review", codename="access_console")
    )
    client = client_for(analyst)
    page = client.get(_url("review:case", case))
    assert page.status_code == 200
    assert b'id="approve-form"' not in page.content and b'id="reveal"' not in page.content
    for name in ("review:claim", "review:approve", "review:reveal"):
        assert client.post(_url(name, case), {"expected_version": case.version}).status_code == 403
    case.refresh_from_db()
    assert case.state == "in_review"


def test_it_signs_staff_in_at_its_own_login_page_and_lands_on_the_queue(reviewer: User) -> None:
    client = client_for(None)
    page = client.get(reverse("review:login"))
    assert page.status_code == 200 and b'name="password"' in page.content
    response = client.post(reverse("review:login"), {"username": reviewer.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("review:queue")
    assert client.get(reverse("review:queue")).status_code == 200


def test_it_refuses_a_wrong_password(reviewer: User) -> None:
    response = client_for(None).post(
        reverse("review:login"), {"username": reviewer.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert b"messages" in response.content


def test_it_signs_out_with_a_post(reviewer: User) -> None:
    client = client_for(reviewer)
    response = client.post(reverse("review:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("review:login")
    assert client.get(reverse("review:queue")).status_code == 302
