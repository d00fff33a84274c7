import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process", "storage": "ok"}


def test_health_is_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


def test_health_is_503_when_the_file_store_does_not_answer(client, settings, unreachable_storage):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "in-process",
        "storage": "unreachable",
    }


def test_health_is_503_when_the_bucket_does_not_exist_for_these_credentials(client, settings, object_storage):
    settings.REDIS_URL = ""
    assert client.get(reverse("healthz")).json()["storage"] == "ok"  # the positive control: the bucket answers
    object_storage.client.delete_bucket(Bucket=object_storage.name)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["storage"] == "unreachable"
