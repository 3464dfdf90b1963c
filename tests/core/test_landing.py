import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_serves_the_landing_page_to_browsers(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/register/" in body and "/review/" in body and "/api/docs/" in body


def test_it_routes_api_calls_on_root_to_the_ocr_api(client: Client) -> None:
    response = client.post("/", data=b"{}", content_type="application/json", HTTP_X_TC_ACTION="IDCardOCR")
    assert response["Content-Type"] == "application/json"
    assert "RequestId" in response.json()["Response"]


def test_it_answers_healthz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
