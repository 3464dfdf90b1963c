"""Card images on a real S3-protocol server through django-storages: private objects, presigned URLs."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlparse

import boto3
import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages


def test_it_stores_private_objects_and_serves_them_by_short_lived_presigned_url(
    s3_storage: str, s3_endpoint: str
) -> None:
    storage = storages.create_storage(settings.STORAGES["default"])
    payload = b"\xff\xd8\xff\xe0 specimen card bytes" + "样本".encode()
    key = storage.save("cards/front.jpg", ContentFile(payload))

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    stored = client.get_object(Bucket=s3_storage, Key=key)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(payload).hexdigest()
    grants = client.get_object_acl(Bucket=s3_storage, Key=key)["Grants"]
    assert not any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)

    url = storage.url(key)
    query = parse_qs(urlparse(url).query)
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == ["60"]
    assert requests.get(url, timeout=10).content == payload


def test_it_never_overwrites_an_existing_image(s3_storage: str) -> None:
    storage = storages.create_storage(settings.STORAGES["default"])
    first = storage.save("cards/same.jpg", ContentFile(b"one"))
    second = storage.save("cards/same.jpg", ContentFile(b"two"))
    assert first != second
    assert storage.open(first).read() == b"one"
