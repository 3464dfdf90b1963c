"""The applicant's path through the services: upload, OCR, form, submit, with the stand-in backend."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onboarding.core.crypto import decrypt_text
from onboarding.kyc import selectors, services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import CardImage, FieldValue, Finding, OcrRead, Verification
from tests.kyc.conftest import BACK_PNG, FRONT_PNG, ID_NUMBER, FakeBackend, submit_as_read

pytestmark = pytest.mark.django_db


def test_it_reads_both_sides_and_prefills_the_form(read_case: Callable[..., Verification]) -> None:
    verification = read_case()
    assert verification.state == "needs_input"
    progress = selectors.verification_progress(verification=verification)
    assert progress["form_ready"] is True
    assert {s["status"] for s in progress["sides"].values()} == {"read"}
    initial = selectors.verification_form_initial(verification=verification)
    assert initial["IdNum"] == ID_NUMBER
    assert initial["ValidDate"] == "2015.07.24-2035.07.24"
    reads = OcrRead.objects.filter(verification=verification)
    assert reads.count() == 2
    front_read = reads.get(image__side="FRONT")
    assert front_read.portrait_crop and front_read.card_crop
    # The Base64 crops are files now, not part of the stored (encrypted) response.
    assert "QUJD" not in front_read.response_json and "IdCard" in front_read.response_json


def test_it_auto_approves_a_clean_case(read_case: Callable[..., Verification]) -> None:
    verification = submit_as_read(read_case())
    assert verification.state == "auto_approved"
    assert verification.decided_at is not None
    actions = list(
        selectors.verification_audit_timeline(verification=verification).values_list("action", flat=True)
    )
    assert actions[-2:] == ["verification.submitted", "state.auto_approved"]


def test_it_sends_ocr_warnings_to_review(
    read_case: Callable[..., Verification], fake_backend: FakeBackend
) -> None:
    fake_backend.warnings = {"FRONT": [-9102], "BACK": [-9103]}
    verification = submit_as_read(read_case())
    assert verification.state == "in_review"
    codes = set(selectors.verification_findings(verification=verification).values_list("code", flat=True))
    assert {"ocr.copy", "ocr.reshoot"} <= codes


def test_it_keeps_both_values_and_marks_changes(read_case: Callable[..., Verification]) -> None:
    verification = submit_as_read(read_case(), Address="北京市海淀区中关村大街1号")
    address = FieldValue.objects.get(verification=verification, name="Address")
    assert address.changed is True
    assert address.ocr_value == "北京市石景山区高新技术园腾讯大楼"
    assert address.user_value == "北京市海淀区中关村大街1号"
    assert FieldValue.objects.get(verification=verification, name="Name").changed is False


def test_it_refuses_rule_errors_with_field_messages(read_case: Callable[..., Verification]) -> None:
    verification = read_case()
    wrong_check = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    with pytest.raises(services.FieldValidationError) as info:
        submit_as_read(verification, IdNum=wrong_check)
    assert "IdNum" in info.value.field_errors
    assert "id_number.checksum" in info.value.extra["codes"]
    verification.refresh_from_db()
    assert verification.state == "needs_input"  # still editable


def test_it_asks_for_new_photos_when_sides_are_swapped(
    read_case: Callable[..., Verification],
) -> None:
    verification = read_case(front=BACK_PNG, back=FRONT_PNG)
    assert verification.state == "needs_input"
    assert verification.input_request["code"] == "ocr.sides_swapped"
    progress = selectors.verification_progress(verification=verification)
    assert progress["form_ready"] is False
    assert "正反面" in progress["message_zh"]
    with pytest.raises(services.ApplicationError) as info:
        submit_as_read(verification)
    assert info.value.code == "images_required"


def test_it_asks_for_a_new_photo_of_a_blurred_side(
    read_case: Callable[..., Verification], fake_backend: FakeBackend
) -> None:
    from onboarding.ocr.errors import ErrorCode, OcrError

    fake_backend.always_fail = {"BACK": OcrError(ErrorCode.IMAGE_BLUR)}
    verification = read_case()
    assert verification.input_request["sides"] == ["BACK"]
    assert Finding.objects.filter(verification=verification, code="ocr.image_blur", side="BACK").exists()
    assert selectors.verification_progress(verification=verification)["sides"]["BACK"]["status"] == "failed"


def test_it_keeps_a_replaced_photo_as_superseded(user: object) -> None:
    actor = Actor.for_user(user)
    verification = services.verification_start(user=user, actor=actor)
    first = services.verification_attach_image(
        verification=verification, side="FRONT", content=FRONT_PNG, filename="a.png", actor=actor
    )
    second = services.verification_attach_image(
        verification=verification, side="FRONT", content=BACK_PNG, filename="b.png", actor=actor
    )
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    assert CardImage.objects.filter(verification=verification).count() == 2


def test_it_encrypts_personal_data_at_rest(read_case: Callable[..., Verification]) -> None:
    from django.db import connection

    verification = submit_as_read(read_case())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ocr_value, user_value FROM kyc_fieldvalue WHERE verification_id = %s", [verification.pk]
        )
        raw = cursor.fetchall()
        cursor.execute("SELECT response_json FROM kyc_ocrread WHERE verification_id = %s", [verification.pk])
        raw += cursor.fetchall()
        cursor.execute(
            "SELECT before, after FROM kyc_auditevent WHERE verification_id = %s", [verification.pk]
        )
        audit_raw = cursor.fetchall()
    dump = repr(raw) + repr(audit_raw)
    assert ID_NUMBER not in dump and "李明" not in dump and "腾讯大楼" not in dump
    # ...yet the ciphertext holds the number.
    assert any(
        decrypt_text(cell) == ID_NUMBER for row in raw for cell in row if cell and not cell.startswith("{")
    )
