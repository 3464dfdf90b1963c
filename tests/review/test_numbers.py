"""The numbers page: figures computed from real cases, drawn as inline SVG with nothing external."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from onboarding.kyc.models import Verification
from onboarding.review.numbers import numbers_for
from tests.review.conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_computes_rate_backlog_warnings_and_decision_time(
    make_case: Callable[..., Verification], reviewer: User
) -> None:
    auto = make_case(2, warnings={})
    decided = make_case(0, warnings={"FRONT": [-9102]})
    waiting = make_case(1, warnings={"FRONT": [-9102], "BACK": [-9103]})
    now = timezone.now()
    Verification.objects.filter(pk=decided.pk).update(submitted_at=now - datetime.timedelta(hours=3))
    Verification.objects.filter(pk=waiting.pk).update(submitted_at=now - datetime.timedelta(hours=5))
    decided.refresh_from_db()
    client_for(reviewer).post(
        reverse("review:approve", args=[decided.public_id]), {"expected_version": decided.version}
    )

    n = numbers_for(days=7)
    assert auto.state == "auto_approved"
    assert n.submitted == 3 and n.auto_approved == 1 and n.sent_to_review == 2
    assert n.auto_approval_rate == pytest.approx(1 / 3)
    assert n.backlog == 1 and n.backlog_oldest_hours == pytest.approx(5, abs=0.1)
    assert n.backlog_by_age[2] == 1 and sum(n.backlog_by_age) == 1  # the 4-24 h bucket
    assert dict(n.warnings_by_code) == {-9102: 2, -9103: 1}
    assert n.median_decision_hours == pytest.approx(3, abs=0.1)
    assert sum(n.per_day["approved"]) == 1 and sum(n.per_day["in_review"]) == 1


def test_it_renders_five_inline_svg_charts_without_external_scripts(
    make_case: Callable[..., Verification], reviewer: User
) -> None:
    make_case(0)
    response = client_for(reviewer).get(reverse("review:numbers"), {"days": "7"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 5
    charts = page.split('class="charts"', 1)[1].split("</section>", 1)[0]
    assert "<script" not in charts  # no script in the charts: nothing external, nothing the CSP refuses
    assert "kozea.github.io" not in page
    assert response.context["auto_rate_pct"] == 0.0
