"""The figures of the numbers page, computed from the kyc tables (read-only)."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from onboarding.kyc.models import Finding, State, Verification

# Buckets of the backlog's age, in hours: (upper bound, label).
AGE_BUCKETS: tuple[tuple[float, str], ...] = (
    (1, "< 1 h"),
    (4, "1–4 h"),
    (24, "4–24 h"),
    (72, "1–3 d"),
    (float("inf"), "> 3 d"),
)
# Decided by a person: the three reviewer outcomes (a re-upload request is a decision too).
REVIEWED_STATES = (State.APPROVED, State.REJECTED, State.RESUBMISSION_REQUESTED)
OUTCOMES = (
    State.AUTO_APPROVED,
    State.APPROVED,
    State.REJECTED,
    State.RESUBMISSION_REQUESTED,
    State.IN_REVIEW,
)


@dataclass
class Numbers:
    days: list[datetime.date]
    per_day: dict[str, list[int]]  # outcome state -> count per day (by submission day)
    submitted: int
    auto_approved: int
    sent_to_review: int
    auto_approval_rate: float | None
    auto_rate_per_day: list[float | None]
    backlog: int
    backlog_oldest_hours: float | None
    backlog_median_hours: float | None
    backlog_by_age: list[int]
    warnings_by_code: list[tuple[int, int]]
    median_decision_hours: float | None
    median_decision_per_day: list[float | None]
    decided_by_reviewers: int


def _hours(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 3600


def numbers_for(*, days: int = 30, now: datetime.datetime | None = None) -> Numbers:
    """Cases submitted in the last ``days`` days (by local calendar day) and the backlog as of ``now``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_list = [today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = timezone.make_aware(datetime.datetime.combine(day_list[0], datetime.time.min))
    submitted = list(
        Verification.objects.filter(submitted_at__gte=start, submitted_at__lte=now).values(
            "state", "submitted_at", "decided_at", "decided_by_id"
        )
    )
    index = {d: i for i, d in enumerate(day_list)}
    per_day = {s.value: [0] * len(day_list) for s in OUTCOMES}
    auto_by_day = [0] * len(day_list)
    total_by_day = [0] * len(day_list)
    decision_hours_by_day: dict[int, list[float]] = defaultdict(list)
    decision_hours: list[float] = []
    for row in submitted:
        submitted_at: datetime.datetime | None = row["submitted_at"]
        assert submitted_at is not None  # the query filters on submitted_at__gte, so it is set
        i = index.get(timezone.localdate(submitted_at))
        if i is None:
            continue
        state = row["state"]
        if state in per_day:
            per_day[state][i] += 1
        if state == State.AUTO_APPROVED or state in REVIEWED_STATES or state == State.IN_REVIEW:
            total_by_day[i] += 1
            auto_by_day[i] += state == State.AUTO_APPROVED
        if row["decided_by_id"] is not None and row["decided_at"] is not None and state in REVIEWED_STATES:
            hours = _hours(row["decided_at"] - submitted_at)
            decision_hours.append(hours)
            decision_hours_by_day[i].append(hours)
    auto = sum(auto_by_day)
    routed = sum(total_by_day)

    backlog_since = list(
        Verification.objects.filter(state=State.IN_REVIEW).values_list("submitted_at", flat=True)
    )
    ages = sorted(_hours(now - s) for s in backlog_since if s is not None)
    by_age = [0] * len(AGE_BUCKETS)
    for age in ages:
        by_age[next(i for i, (bound, _) in enumerate(AGE_BUCKETS) if age < bound)] += 1

    warnings = Counter(
        dict(
            # A warning raised counts even if a later upload superseded it: it happened.
            Finding.objects.filter(warn_code__isnull=False, created__gte=start)
            .values_list("warn_code")
            .annotate(n=Count("verification", distinct=True))
            .order_by()
        )
    )
    return Numbers(
        days=day_list,
        per_day=per_day,
        submitted=len(submitted),
        auto_approved=auto,
        sent_to_review=routed - auto,
        auto_approval_rate=(auto / routed) if routed else None,
        auto_rate_per_day=[(a / t) if t else None for a, t in zip(auto_by_day, total_by_day, strict=True)],
        backlog=len(backlog_since),
        backlog_oldest_hours=ages[-1] if ages else None,
        backlog_median_hours=statistics.median(ages) if ages else None,
        backlog_by_age=by_age,
        warnings_by_code=sorted(warnings.items(), key=lambda kv: (-kv[1], kv[0])),
        median_decision_hours=statistics.median(decision_hours) if decision_hours else None,
        median_decision_per_day=[
            statistics.median(decision_hours_by_day[i]) if decision_hours_by_day.get(i) else None
            for i in range(len(day_list))
        ],
        decided_by_reviewers=len(decision_hours),
    )
