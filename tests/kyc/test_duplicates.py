"""The same ID number verified by another account sends the case to review."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from onboarding.kyc import selectors
from onboarding.kyc.models import Verification
from tests.kyc.conftest import submit_as_read

pytestmark = pytest.mark.django_db


def test_it_flags_a_number_already_verified_by_another_account(
    read_case: Callable[..., Verification], user: User, other_user: User
) -> None:
    first = submit_as_read(read_case(owner=other_user))
    assert first.state == "auto_approved"
    second = submit_as_read(read_case(owner=user))
    assert second.state == "in_review"
    finding = selectors.verification_findings(verification=second).get(code="duplicate.id_number")
    assert finding.source == "duplicate" and finding.field == "IdNum"
    assert list(selectors.verification_same_id_number(verification=second)) == [first]
    # The hash is keyed: it is not a plain digest of the number.
    import hashlib

    from tests.kyc.conftest import ID_NUMBER

    assert second.id_number_hash == first.id_number_hash
    assert second.id_number_hash != hashlib.sha256(ID_NUMBER.encode()).hexdigest()


def test_the_same_account_again_is_not_a_duplicate(
    read_case: Callable[..., Verification], user: User
) -> None:
    assert submit_as_read(read_case(owner=user)).state == "auto_approved"
    again = submit_as_read(read_case(owner=user))
    assert again.state == "auto_approved"
    assert not selectors.verification_findings(verification=again).filter(code="duplicate.id_number").exists()
