"""The case page: evidence side by side, explanations, the same number elsewhere, the audit trail,
and personal data masked until a reviewer asks (which is audited)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from onboarding.core.lib.masking import mask_id_number
from onboarding.kyc.models import AuditEvent, Verification
from tests.review.conftest import Specimen, client_for

pytestmark = pytest.mark.django_db


def _url(name: str, case: Verification) -> str:
    return reverse(name, kwargs={"public_id": case.public_id})


def test_it_masks_personal_data_by_default(
    make_case: Callable[..., Verification], specimens: list[Specimen], reviewer: User
) -> None:
    case = make_case()
    number = specimens[0].identity.id_num
    page = client_for(reviewer).get(_url("review:case", case)).content.decode()
    assert number not in page and specimens[0].identity.name not in page
    assert mask_id_number(number) in page
    assert not AuditEvent.objects.filter(verification=case, action="pii.viewed").exists()


def test_it_shows_full_data_once_per_audited_request(
    make_case: Callable[..., Verification], specimens: list[Specimen], reviewer: User
) -> None:
    case = make_case()
    number = specimens[0].identity.id_num
    client = client_for(reviewer)
    response = client.post(_url("review:reveal", case), follow=True)
    page = response.content.decode()
    assert number in page and specimens[0].identity.address in page
    event = AuditEvent.objects.filter(verification=case, action="pii.viewed").get()
    assert event.actor_label == reviewer.username and "IdNum" in event.after["fields"]
    # The next view is masked again: every unmasked view has its own audit event.
    assert number not in client.get(_url("review:case", case)).content.decode()


def test_it_shows_both_values_and_highlights_what_the_user_changed(
    make_case: Callable[..., Verification], specimens: list[Specimen], reviewer: User
) -> None:
    truth = specimens[1].identity
    new_last = "伟" if truth.name[-1] != "伟" else "明"
    changed = truth.name[:-1] + new_last
    case = make_case(1, warnings={}, edits={"Name": changed})
    assert case.state == "in_review"  # a changed name sends an otherwise clean case to a person
    client = client_for(reviewer)
    client.post(_url("review:reveal", case))
    response = client.get(_url("review:case", case))
    rows = {row.field: row for row in response.context["case"].fields}
    assert (
        rows["Name"].changed and rows["Name"].ocr_value == truth.name and rows["Name"].user_value == changed
    )
    assert not rows["IdNum"].changed
    assert [seg.text for seg in rows["Name"].user_segments if seg.differs] == [new_last]
    assert [seg.text for seg in rows["Name"].ocr_segments if seg.differs] == [truth.name[-1]]
    assert rows["Address"].confidence_level == "low" and rows["IdNum"].confidence_level == "high"
    assert f"<mark>{new_last}</mark>" in response.content.decode()
    findings = {f.code for f in response.context["case"].findings}
    assert "user_edit.key_field" in findings


def test_it_explains_each_warning_and_finding(make_case: Callable[..., Verification], reviewer: User) -> None:
    case = make_case(warnings={"FRONT": [-9102], "BACK": [-9103]}, edits={})
    response = client_for(reviewer).get(_url("review:case", case))
    warnings = {w.warn_code: w for w in response.context["case"].warnings}
    assert set(warnings) == {-9102, -9103}
    assert warnings[-9102].text and warnings[-9102].message  # reviewer's explanation and what the user read
    page = response.content.decode()
    assert 'data-warn="-9102"' in page and 'data-warn="-9103"' in page


def test_it_lists_other_verifications_with_the_same_number(
    make_case: Callable[..., Verification], reviewer: User
) -> None:
    first = make_case(2, warnings={})
    assert first.state == "auto_approved"
    second = make_case(2, warnings={})  # another account, the same card
    assert second.state == "in_review"
    response = client_for(reviewer).get(_url("review:case", second))
    assert [v.pk for v in response.context["case"].same_number] == [first.pk]
    findings = {f.code for f in response.context["case"].findings}
    assert "duplicate.id_number" in findings
    assert _url("review:case", first) in response.content.decode()


def test_it_shows_the_whole_audit_timeline(make_case: Callable[..., Verification], reviewer: User) -> None:
    case = make_case()
    client = client_for(reviewer)
    client.post(_url("review:claim", case), {"expected_version": case.version})
    response = client.get(_url("review:case", case))
    shown = [entry.event.action for entry in response.context["case"].timeline]
    stored = list(
        AuditEvent.objects.filter(verification=case).order_by("seq").values_list("action", flat=True)
    )
    assert shown == stored and shown[0] == "verification.started" and shown[-1] == "review.claimed"


def test_it_serves_the_photos_and_crops_to_reviewers_only(
    make_case: Callable[..., Verification], reviewer: User, staff: User
) -> None:
    case = make_case()
    page = client_for(reviewer).get(_url("review:case", case)).content.decode()
    urls = [
        reverse("kyc:card_image", args=[case.public_id, side, variant])
        for side, variant in (
            ("FRONT", "original"),
            ("BACK", "original"),
            ("FRONT", "card"),
            ("FRONT", "portrait"),
        )
    ]
    for url in urls:
        assert url in page
        assert client_for(reviewer).get(url)["Content-Type"] == "image/jpeg"
        assert client_for(staff).get(url).status_code == 404
