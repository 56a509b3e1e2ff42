"""Security by default: headers, production checks, sign-in throttling, caching that never
leaks, and a friendly page when the database is down."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from editing import services
from milestones.models import Milestone
from tests.factories import (
    EditorFactory,
    PublisherFactory,
    UserFactory,
    build_route_map,
    edit_in_draft,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **env,
        },
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOWED_HOSTS="routemaps.example.org",
        TRUSTED_PROXY_HOPS="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": ""}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment for production" in result.stderr


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_public_pages_carry_no_csrf_token(client):
    build_route_map(outcomes=1)
    body = client.get("/").content.decode()
    assert "x-csrftoken" not in body
    assert "csrfmiddlewaretoken" not in body


def test_repeated_failed_sign_ins_lock_the_account_with_a_clear_message(client):
    UserFactory(username="casey")
    for _ in range(5):
        response = client.post(
            reverse("login"), {"username": "casey", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )
    response = client.post(
        reverse("login"),
        {"username": "casey", "password": "correct-horse-battery"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_shows_the_error_summary(client):
    UserFactory(username="robin")
    response = client.post(reverse("login"), {"username": "robin", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'value="robin"' in body


class TestPublicPageCache:
    def test_second_anonymous_visit_is_served_from_the_cache(self, client):
        edition = build_route_map(outcomes=1)
        url = edition.route_map.get_absolute_url()
        first = client.get(url)
        second = client.get(url)
        assert first["X-Cache"] == "miss"
        assert second["X-Cache"] == "hit"
        assert first.content == second.content

    def test_browsers_revalidate_with_the_etag(self, client):
        edition = build_route_map(outcomes=1)
        url = edition.route_map.get_absolute_url()
        etag = client.get(url)["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    def test_publishing_invalidates_cached_pages_and_etags(
        self, client, django_capture_on_commit_callbacks
    ):
        edition = build_route_map(outcomes=1)
        route_map = edition.route_map
        url = route_map.get_absolute_url()
        etag = client.get(url)["ETag"]
        milestone = Milestone.objects.filter(outcome__edition=edition).first()
        with django_capture_on_commit_callbacks(execute=True):
            edit_in_draft(milestone, {"progress_note": "Freshly published note"})
            services.route_map_publish(route_map=route_map, user=None, note="New note")
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200
        assert response["ETag"] != etag
        assert "Freshly published note" in response.content.decode()

    def test_draft_edits_do_not_change_what_the_cache_serves(self, client):
        edition = build_route_map(outcomes=1)
        route_map = edition.route_map
        url = route_map.get_absolute_url()
        client.get(url)
        milestone = Milestone.objects.filter(outcome__edition=edition).first()
        edit_in_draft(milestone, {"progress_note": "Draft only"})
        response = client.get(url)
        assert response["X-Cache"] == "hit"
        assert "Draft only" not in response.content.decode()

    def test_signed_in_people_are_never_served_cached_pages(self, client):
        edition = build_route_map(outcomes=1)
        url = edition.route_map.get_absolute_url()
        client.get(url)
        client.force_login(EditorFactory(all_route_maps=True))
        response = client.get(url)
        assert "X-Cache" not in response
        assert "Edit this route map" in response.content.decode()

    def test_editor_pages_are_never_cached(self, client):
        build_route_map(outcomes=1)
        client.force_login(PublisherFactory())
        assert "X-Cache" not in client.get("/edit/")


def test_a_database_outage_shows_a_friendly_503_page(client):
    # Every connection attempt fails, the request's and the check's alike.
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/route-maps/where-children-live/")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert client.get("/").status_code == 200  # recovers with the database


def test_a_failing_query_with_the_database_up_is_an_error_not_an_outage(client, caplog):
    """A bug (here, a query naming a column that does not exist) must reach the error log as
    one, not hide behind the friendly outage page."""
    client.raise_request_exception = False
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("no such column: milestone.colour"),
    ):
        response = client.get("/route-maps/where-children-live/")
    assert response.status_code == 500
    assert "Sorry, the service is unavailable" not in response.content.decode()
    assert "Database unavailable" not in caplog.text
