import pytest

from onboarding.core.crypto import decrypt_text, encrypt_text, keyed_hash
from onboarding.core.lib.masking import mask_id_number


def test_it_round_trips_and_never_stores_plain_text() -> None:
    token = encrypt_text("440524198701010014")
    assert "440524" not in token
    assert decrypt_text(token) == "440524198701010014"


def test_it_refuses_data_under_another_key(settings: object) -> None:
    token = encrypt_text("李明")
    from cryptography.fernet import Fernet

    from onboarding.core import crypto

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # type: ignore[attr-defined]
    crypto._fernet.cache_clear()
    try:
        with pytest.raises(ValueError, match="FIELD_ENCRYPTION_KEY"):
            decrypt_text(token)
    finally:
        crypto._fernet.cache_clear()


def test_keyed_hash_is_stable_and_purpose_bound() -> None:
    assert keyed_hash("440524198701010014", purpose="id") == keyed_hash("440524198701010014", purpose="id")
    assert keyed_hash("440524198701010014", purpose="id") != keyed_hash("440524198701010014", purpose="x")


def test_it_masks_id_numbers() -> None:
    assert mask_id_number("440524198701010014") == "4405**********0014"
