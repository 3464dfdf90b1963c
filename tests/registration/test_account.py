import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from onboarding.registration.identifiers import normalise_identifier

PASSWORD = "ruo-gan-zi-mu-42"


@pytest.mark.parametrize(
    ("typed", "username"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 139 1234 5678", "13912345678"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits from a Chinese IME
        (" Li.Ming@Example.COM ", "li.ming@example.com"),
        ("12800138000", None),  # second digit must be 3-9
        ("1380013800", None),
        ("li.ming@", None),
        ("", None),
    ],
)
def test_it_normalises_phone_numbers_and_email_addresses(typed: str, username: str | None) -> None:
    assert normalise_identifier(typed) == username


@pytest.mark.django_db
def test_it_signs_up_with_a_phone_number_and_signs_the_user_in(client: Client) -> None:
    response = client.post(
        reverse("registration:signup"),
        {"identifier": "+86 138 0013 8000", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:start")
    user = User.objects.get()
    assert user.username == "13800138000"
    assert user.password.startswith("argon2")
    page = client.get(reverse("registration:start")).content.decode()
    assert "13800138000" in page


@pytest.mark.django_db
def test_it_refuses_an_identifier_that_is_neither_phone_nor_email(client: Client) -> None:
    response = client.post(
        reverse("registration:signup"),
        {"identifier": "li ming", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "请输入有效的中国大陆手机号" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_second_account_for_the_same_number(client: Client) -> None:
    User.objects.create_user(username="13800138000", password=PASSWORD)
    response = client.post(
        reverse("registration:signup"),
        {"identifier": "138-0013-8000", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "该手机号或邮箱已注册" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_it_reports_mismatched_and_weak_passwords_on_their_fields(client: Client) -> None:
    mismatch = client.post(
        reverse("registration:signup"),
        {"identifier": "13800138000", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert "两次输入的密码不一致" in mismatch.content.decode()
    weak = client.post(
        reverse("registration:signup"),
        {"identifier": "13800138000", "password1": "12345678", "password2": "12345678"},
    )
    assert weak.context["form"].errors["password1"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_signs_in_with_the_email_typed_in_another_case(client: Client) -> None:
    User.objects.create_user(username="li.ming@example.com", email="li.ming@example.com", password=PASSWORD)
    response = client.post(
        reverse("registration:login"), {"username": "Li.Ming@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:start")
    wrong = Client().post(reverse("registration:login"), {"username": "li.ming@example.com", "password": "x"})
    assert "手机号/邮箱或密码不正确" in wrong.content.decode()
