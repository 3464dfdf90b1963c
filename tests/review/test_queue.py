"""The queue: cases in review oldest first, filters, counts, claims and paging."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from onboarding.kyc.models import Verification
from onboarding.review import views
from tests.review.conftest import client_for

pytestmark = pytest.mark.django_db


def _ids(response: object) -> list[int]:
    return [row.verification.pk for row in response.context["rows"]]  # type: ignore[attr-defined]


def _age(case: Verification, hours: float) -> None:
    Verification.objects.filter(pk=case.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(hours=hours)
    )


def test_it_lists_cases_in_review_oldest_first(
    make_case: Callable[..., Verification], reviewer: User
) -> None:
    newer, older, clean = make_case(0), make_case(1), make_case(2, warnings={})
    _age(newer, 2)
    _age(older, 30)
    client = client_for(reviewer)
    response = client.get(reverse("review:queue"))
    assert _ids(response) == [older.pk, newer.pk]
    assert _ids(client.get(reverse("review:queue"), {"order": "newest"})) == [newer.pk, older.pk]
    assert clean.state == "auto_approved" and clean.pk not in _ids(response)
    counts = dict(response.context["state_counts"])
    assert counts["in_review"] == 2


def test_it_filters_by_warning_finding_age_partner_and_state(
    make_case: Callable[..., Verification], reviewer: User
) -> None:
    copy = make_case(0, warnings={"FRONT": [-9102]})
    reshoot = make_case(1, warnings={"BACK": [-9103]})
    _age(copy, 50)
    _age(reshoot, 2)
    client = client_for(reviewer)
    assert _ids(client.get(reverse("review:queue"), {"warning": "-9103"})) == [reshoot.pk]
    assert _ids(client.get(reverse("review:queue"), {"finding": "ocr.copy"})) == [copy.pk]
    assert _ids(client.get(reverse("review:queue"), {"age": "24h"})) == [copy.pk]
    assert _ids(client.get(reverse("review:queue"), {"partner": "none"})) == [copy.pk, reshoot.pk]
    client.post(reverse("review:approve", args=[copy.public_id]), {"expected_version": copy.version})
    assert _ids(client.get(reverse("review:queue"), {"state": "approved"})) == [copy.pk]
    assert _ids(client.get(reverse("review:queue"))) == [reshoot.pk]


def test_it_counts_cases_per_warning_code(make_case: Callable[..., Verification], reviewer: User) -> None:
    make_case(0, warnings={"FRONT": [-9102]})
    make_case(1, warnings={"FRONT": [-9102], "BACK": [-9103]})
    response = client_for(reviewer).get(reverse("review:queue"))
    counts = {code: n for code, _title, n in response.context["warning_counts"]}
    assert counts == {-9103: 1, -9102: 2}


def test_it_claims_from_the_queue_and_filters_mine_and_unclaimed(
    make_case: Callable[..., Verification], reviewer: User, second_reviewer: User
) -> None:
    a, b = make_case(0), make_case(1)
    client = client_for(reviewer)
    response = client.post(reverse("review:claim", args=[a.public_id]), {"expected_version": a.version})
    assert response["Location"] == reverse("review:case", args=[a.public_id])
    assert _ids(client.get(reverse("review:queue"), {"claim": "mine"})) == [a.pk]
    assert _ids(client.get(reverse("review:queue"), {"claim": "unclaimed"})) == [b.pk]
    other = client_for(second_reviewer).get(reverse("review:queue"))
    row = next(r for r in other.context["rows"] if r.verification.pk == a.pk)
    assert row.claimed_by_label == reviewer.username and not row.claimed_by_me
    assert f'action="{reverse("review:claim", args=[a.public_id])}"' not in other.content.decode()


def test_it_pages_the_queue(
    make_case: Callable[..., Verification], reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    cases = [make_case(i % 3) for i in range(3)]
    for hours, case in zip((30, 20, 10), cases, strict=True):
        _age(case, hours)
    client = client_for(reviewer)
    first = client.get(reverse("review:queue"))
    second = client.get(reverse("review:queue"), {"page": 2})
    assert _ids(first) == [cases[0].pk, cases[1].pk] and _ids(second) == [cases[2].pk]
    assert first.context["page"].paginator.count == 3
