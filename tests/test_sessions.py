"""Signed-in sessions end after an idle time (SESSION_IDLE_MINUTES) or when the browser closes."""

import datetime
import os

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import EditorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

# The documented idle time: an hour unless the environment says otherwise.
IDLE = datetime.timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60")))
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    assert client.get(reverse("editing:dashboard")).status_code == 200
    return client


def asked_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)


def test_the_idle_time_is_set_in_minutes():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60


def test_an_editor_back_after_the_idle_time_is_asked_to_sign_in_again(editor_client, clock):
    clock.shift(IDLE + MINUTE)
    assert asked_to_sign_in(editor_client.get(reverse("editing:dashboard")))


def test_an_editor_back_within_the_idle_time_is_still_signed_in(editor_client, clock):
    clock.shift(IDLE - MINUTE)
    assert editor_client.get(reverse("editing:dashboard")).status_code == 200


def test_each_request_restarts_the_idle_timer(editor_client, clock):
    for _ in range(3):
        clock.shift(IDLE - MINUTE)
        assert editor_client.get(reverse("editing:dashboard")).status_code == 200


def test_the_idle_time_comes_from_the_setting(editor_client, clock, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    editor_client.get(reverse("editing:dashboard"))  # saved with the new age
    clock.shift(datetime.timedelta(minutes=6))
    assert asked_to_sign_in(editor_client.get(reverse("editing:dashboard")))


def test_sign_in_cookies_carry_no_expiry_date(client):
    EditorFactory(username="robin")
    page = client.get(reverse("login"))
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    signed_in = client.post(
        reverse("login"), {"username": "robin", "password": "correct-horse-battery"}
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    for cookie in (csrf, session):
        assert not cookie["expires"] and not cookie["max-age"], cookie.OutputString()
