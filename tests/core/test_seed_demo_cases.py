import pytest
from django.core.management import call_command

from onboarding.kyc.models import Verification


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_seeds_three_cases_through_the_real_engine_once() -> None:
    call_command("seed_demo_cases")
    states = sorted(Verification.objects.values_list("state", flat=True))
    assert len(states) == 3
    # The photocopied card and the edited name both need a reviewer.
    assert states.count("in_review") >= 2

    call_command("seed_demo_cases")
    assert Verification.objects.count() == 3
