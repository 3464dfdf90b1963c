import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from onboarding.identity import validate_card
from onboarding.kyc import catalog, services, tasks
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import REJECT_REASONS, ActorType, FieldValue, State, Verification
from onboarding.ocr.engine.types import CardSide, WarnCode
from onboarding.ocr.specimens import random_conditions, specimen_photo
from onboarding.registration import presenters
from tests.registration.conftest import PASSWORD, Pair, post_photos, start_case

CASE_PAGES = ("upload", "progress", "form", "status")


def url(name: str, verification: Verification) -> str:
    return reverse(f"registration:{name}", kwargs={"public_id": verification.public_id})


def test_it_answers_404_for_another_users_case(signed_in: Client, pair: Pair) -> None:
    verification = start_case(signed_in)
    stranger = Client()
    stranger.force_login(User.objects.create_user(username="someone@example.com", password=PASSWORD))
    for name in CASE_PAGES:
        assert stranger.get(url(name, verification)).status_code == 404, name
    response = post_photos(stranger, verification, front=pair.front, back=pair.back)
    assert response.status_code == 404
    assert not verification.images.exists()
    # The owner reaches the same pages.
    assert signed_in.get(url("upload", verification)).status_code == 200


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.post(reverse("registration:verify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("registration:login"))


def test_it_prefills_the_form_and_keeps_both_values_of_a_changed_field(
    signed_in: Client, pair: Pair, read_case: Callable[..., Verification]
) -> None:
    verification = read_case()
    progress = signed_in.get(url("progress", verification)).json()
    assert progress["ready"] is True
    assert progress["next_url"] == url("form", verification)

    form = signed_in.get(url("form", verification))
    assert form.status_code == 200
    shown = {row.name: row.value for row in form.context["rows"]}
    read = dict(FieldValue.objects.filter(verification=verification).values_list("name", "ocr_value"))
    assert shown == read
    assert shown["IdNum"] == pair.identity.id_num
    assert not any(row.changed for row in form.context["rows"])
    # The user's own number, in full, on their own form; never in the URL.
    assert pair.identity.id_num in form.content.decode()
    assert pair.identity.id_num not in url("form", verification)

    corrected = pair.identity.address + "附1号"
    # The user corrects whatever the engine misread, and adds to the address.
    response = signed_in.post(
        url("form", verification), {**pair.identity.contract_fields(), "Address": corrected}
    )
    assert response.status_code == 302
    assert response["Location"] == url("status", verification)
    address = FieldValue.objects.get(verification=verification, name="Address")
    assert (address.ocr_value, address.user_value, address.changed) == (
        pair.identity.address,
        corrected,
        True,
    )
    verification.refresh_from_db()
    assert verification.state in (State.AUTO_APPROVED, State.IN_REVIEW)
    status = signed_in.get(url("status", verification)).content.decode()
    assert ("已通过" if verification.state == State.AUTO_APPROVED else "审核中") in status
    assert pair.identity.id_num not in status  # masked there


def test_it_gives_field_messages_in_the_current_language(
    signed_in: Client, pair: Pair, read_case: Callable[..., Verification], today: Any
) -> None:
    verification = read_case()
    fields = pair.identity.contract_fields()
    number = fields["IdNum"]
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    sent = {**fields, "IdNum": wrong}
    expected = [
        f
        for f in validate_card(front=sent, back=sent, today=today)
        if f.field == "IdNum" and str(f.severity) == "error"
    ]
    assert expected

    refused = signed_in.post(url("form", verification), sent)
    assert refused.status_code == 400
    row = next(r for r in refused.context["rows"] if r.name == "IdNum")
    assert row.errors == [f.message_zh for f in expected]
    assert row.changed and row.value == wrong

    signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    refused_en = signed_in.post(url("form", verification), sent)
    assert escape(expected[0].message_en) in refused_en.content.decode()
    assert "Check your ID card details" in refused_en.content.decode()
    verification.refresh_from_db()
    assert verification.state == State.NEEDS_INPUT


def test_it_says_when_the_back_was_put_under_the_front(
    signed_in: Client, pair: Pair, read_case: Callable[..., Verification]
) -> None:
    verification = read_case(front=pair.back, back=pair.back)
    assert verification.state == State.NEEDS_INPUT
    progress = signed_in.get(url("progress", verification)).json()
    assert progress["failed"] is True
    assert progress["sides"] == {"front": catalog.wrong_side("FRONT").message_zh}
    # The form is not offered until a new front photo is read; the upload page says why.
    assert signed_in.get(url("form", verification))["Location"] == url("upload", verification)
    page = signed_in.get(url("upload", verification))
    assert catalog.wrong_side("FRONT").message_zh in page.content.decode()
    assert [s["required"] for s in page.context["slots"]] == [True, False]


def test_it_reports_progress_while_a_worker_reads_the_photos(
    signed_in: Client, pair: Pair, engine: Any
) -> None:
    verification = start_case(signed_in)
    # Without a broker the task would run after commit; here it is left to "a worker" below.
    accepted = post_photos(signed_in, verification, front=pair.front, back=pair.back)
    assert accepted.status_code == 202
    assert accepted.json()["ready"] is False
    waiting = signed_in.get(accepted.json()["progress_url"]).json()
    assert (waiting["state"], waiting["ready"], waiting["failed"]) == (State.PROCESSING, False, False)
    assert signed_in.get(url("upload", verification)).context["processing"] is True

    tasks.verification_run_ocr(verification.pk)
    done = signed_in.get(accepted.json()["progress_url"]).json()
    assert done["ready"] is True and done["next_url"] == url("form", verification)


def submitted_with_changed_name(client: Client, verification: Verification, pair: Pair) -> Verification:
    fields = {**pair.identity.contract_fields(), "Name": pair.identity.name + "某"}
    assert client.post(url("form", verification), fields).status_code == 302
    verification.refresh_from_db()
    assert verification.state == State.IN_REVIEW  # a changed name always goes to a person
    return verification


def reviewer_actor() -> Actor:
    reviewer = User.objects.create_user(username="reviewer-a", password=PASSWORD, is_staff=True)
    return Actor.for_user(reviewer, type=ActorType.REVIEWER)


def test_it_shows_the_reviewers_reason_and_a_way_to_upload_again(
    signed_in: Client, pair: Pair, read_case: Callable[..., Verification]
) -> None:
    verification = submitted_with_changed_name(signed_in, read_case(), pair)
    reason = "国徽面有反光，看不清有效期限"
    services.verification_request_resubmission(
        verification=verification,
        actor=reviewer_actor(),
        expected_version=verification.version,
        sides=["BACK"],
        reason=reason,
    )
    status = signed_in.get(url("status", verification))
    body = status.content.decode()
    assert "请重新上传" in body and reason in body
    assert status.context["status"].action_url == url("upload", verification)
    upload = signed_in.get(url("upload", verification))
    assert reason in upload.content.decode()
    assert [s["required"] for s in upload.context["slots"]] == [False, True]


def test_it_shows_a_rejection_with_its_reason(
    signed_in: Client, pair: Pair, read_case: Callable[..., Verification]
) -> None:
    verification = submitted_with_changed_name(signed_in, read_case(), pair)
    services.verification_reject(
        verification=verification,
        actor=reviewer_actor(),
        expected_version=verification.version,
        reason_codes=["data_mismatch"],
    )
    body = signed_in.get(url("status", verification)).content.decode()
    assert "未通过" in body and REJECT_REASONS["data_mismatch"][0] in body
    # A rejected user may start a new case from the start page.
    assert signed_in.get(reverse("registration:start")).context["can_start"] is True


def test_it_switches_the_start_page_to_english(signed_in: Client) -> None:
    assert "验证我的身份" in signed_in.get(reverse("registration:start")).content.decode()
    signed_in.post(reverse("set_language"), {"language": "en", "next": "/register/"})
    body = signed_in.get(reverse("registration:start")).content.decode()
    assert "Verify my identity" in body and "验证我的身份" not in body


@pytest.mark.parametrize("side", ["front", "back"])
def test_it_serves_a_specimen_photo_to_signed_in_users(signed_in: Client, side: str) -> None:
    response = signed_in.get(reverse("registration:specimen", kwargs={"seed": 42, "side": side}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8\xff")
    assert (
        Client().get(reverse("registration:specimen", kwargs={"seed": 42, "side": side})).status_code == 302
    )


def test_it_refuses_a_file_that_is_not_a_photo(signed_in: Client, pair: Pair) -> None:
    verification = start_case(signed_in)
    response = post_photos(signed_in, verification, front=b"%PDF-1.7 not a photo", back=pair.back)
    assert response.status_code == 400
    assert response.json()["sides"] == {"front": str(presenters.IMAGE_ERRORS["image_type"])}
    verification.refresh_from_db()
    assert verification.state == State.DRAFT


def test_it_reads_the_new_photo_after_a_reviewer_asked_for_one(
    signed_in: Client,
    pair: Pair,
    read_case: Callable[..., Verification],
    django_capture_on_commit_callbacks: Any,
) -> None:
    verification = submitted_with_changed_name(signed_in, read_case(), pair)
    services.verification_request_resubmission(
        verification=verification,
        actor=reviewer_actor(),
        expected_version=verification.version,
        sides=["BACK"],
        reason="请重新拍摄国徽面",
    )
    # Only the side the reviewer asked for is needed.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photos(signed_in, verification, front=None, back=pair.back)
    assert response.status_code in (200, 202)
    verification.refresh_from_db()
    assert verification.state == State.NEEDS_INPUT and not verification.input_request
    assert signed_in.get(url("progress", verification)).json()["next_url"] == url("form", verification)
    assert verification.images.filter(side="BACK").count() == 2  # the old photo is kept, superseded


def test_it_asks_for_the_original_card_when_the_front_is_a_photocopy(
    signed_in: Client, pair: Pair, read_case: Callable[..., Verification], today: Any
) -> None:
    conditions = random_conditions(random.Random(1), difficulty="clean")
    copy, _ = specimen_photo(
        random.Random(3),
        CardSide.FRONT,
        replace(conditions, photocopy="bw"),
        today=today,
        identity=pair.identity,
    )
    verification = read_case(front=copy.jpeg)
    form = signed_in.get(url("form", verification))
    assert form.status_code == 200
    assert form.context["retake_not_original"] is True
    body = form.content.decode()
    assert "请拍摄身份证原件" in body
    assert catalog.WARNINGS[WarnCode.COPY].message_zh in form.context["retake"]


def test_it_says_when_the_daily_attempts_are_used_up(signed_in: Client, user: User, settings: Any) -> None:
    settings.KYC_MAX_ATTEMPTS_PER_DAY = 1
    Verification.objects.create(user=user, state=State.REJECTED)  # today's one attempt, already decided
    response = signed_in.post(reverse("registration:verify"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("registration:start")
    assert "今天的核验次数已达上限" in response.content.decode()
    assert Verification.objects.filter(user=user).count() == 1
