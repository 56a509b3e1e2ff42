"""Hardening: any search text gives a page, private backups, history for every milestone,
error pages in the site's design, plain constraint messages, quiet 403 logs and a
Permissions-Policy header."""

import io
import json
import logging
import re
import stat

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milestones.models import Milestone
from public import search, views
from routemap.models import RouteMap
from tests.factories import (
    ConsultationResponseFactory,
    EditionFactory,
    EditorFactory,
    MilestoneFactory,
    ModeratorFactory,
    OutcomeFactory,
    UserFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="websearch_to_tsquery is PostgreSQL's"
)


@pytest.fixture
def milestone(db):
    return MilestoneFactory(
        outcome=OutcomeFactory(edition=EditionFactory()), text="Advocacy services for children."
    )


# ------------------------------------------------------------------------------------ search


@on_postgresql
@pytest.mark.parametrize("hyphens", ["-" * 33, "-" * 199, "- " * 60, "(-" * 60])
def test_a_long_run_of_hyphens_gives_a_search_page_on_postgresql(client, milestone, hyphens):
    response = client.get(reverse("search"), {"q": f"a {hyphens}"[:200]})
    assert response.status_code == 200


@on_postgresql
def test_hyphens_before_a_word_still_leave_it_out_on_postgresql(client, milestone):
    page = client.get(reverse("search"), {"q": "advocacy " + "-" * 40 + "children"})
    assert "No results" in page.content.decode()
    page = client.get(reverse("search"), {"q": "advocacy " + "-" * 40 + "adoption"})
    assert "1 result" in page.content.decode()


@on_postgresql
def test_a_query_postgresql_cannot_read_gives_no_results_and_says_why(
    client, milestone, monkeypatch
):
    monkeypatch.setattr(search, "websearch_text", lambda text: text)
    response = client.get(reverse("search"), {"q": "a " + "-" * 40})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No results" in page
    assert "could not be read" in page
    # The failed statement did not spoil the rest of the request's transaction.
    assert "1 result" in client.get(reverse("search"), {"q": "advocacy"}).content.decode()


ODD_PIECES = st.sampled_from(
    ["-", "--", "-" * 40, '"', "'", "or", "OR", " or ", "&", "|", "!", "(", ")", ":", "*",
     "<->", "\\", " ", "advocacy", "a", "é", "_", "\t"]
)  # fmt: skip
odd_queries = st.lists(ODD_PIECES, max_size=60).map("".join) | st.text(max_size=200)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=odd_queries)
def test_any_search_text_gives_a_page(milestone, query):
    response = Client().get(reverse("search"), {"q": query[:200]})
    assert response.status_code == 200


# ------------------------------------------------------------------------------------ backup


def test_a_state_export_can_be_read_by_its_owner_only(milestone, tmp_path):
    backup = tmp_path / "state.json"
    call_command("export_state", str(backup), stdout=io.StringIO())
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert json.loads(backup.read_text(encoding="utf-8"))


def test_exporting_over_a_readable_file_makes_it_private(milestone, tmp_path):
    backup = tmp_path / "state.json"
    backup.write_text("previous backup \u2603 " * 100)
    backup.chmod(0o644)
    call_command("export_state", str(backup), stdout=io.StringIO())
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "previous backup" not in backup.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------- history

HISTORY_LINK = re.compile(r'href="(/edit/route-maps/[^"]+/history/)"')


def test_every_history_link_on_a_seeded_edit_page_opens(client, seeded):
    route_map = RouteMap.objects.get(slug="where-children-live")
    client.force_login(EditorFactory(all_route_maps=True))
    page = client.get(reverse("editing:route_map", args=[route_map.slug])).content.decode()
    links = set(HISTORY_LINK.findall(page))
    # The route map's own history, and one per milestone (the seed has one version).
    milestones = Milestone.objects.filter(outcome__edition__route_map=route_map).count()
    assert len(links) == 1 + milestones
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_milestone_never_changed_has_an_empty_history_page(client):
    edition = build_route_map(outcomes=1)
    milestone = Milestone.objects.filter(outcome__edition=edition).first()
    client.force_login(EditorFactory(all_route_maps=True))
    url = reverse("editing:milestone_history", args=[edition.route_map.slug, milestone.key])
    response = client.get(url)
    assert response.status_code == 200
    assert "No changes have been recorded yet" in response.content.decode()


def test_a_milestone_of_another_route_map_has_no_history_page_here(client):
    edition, other = build_route_map(outcomes=1), build_route_map(outcomes=1)
    milestone = Milestone.objects.filter(outcome__edition=other).first()
    client.force_login(EditorFactory(all_route_maps=True))
    url = reverse("editing:milestone_history", args=[edition.route_map.slug, milestone.key])
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------------------- error pages


def broken_render(*args, **kwargs):
    raise RuntimeError("a bug")


def test_a_server_error_shows_the_sites_own_page(monkeypatch):
    monkeypatch.setattr("public.views.render", broken_render)
    response = Client(raise_request_exception=False).get(reverse("accessibility"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "design-system.min.css" in page
    assert "a bug" not in page


def test_the_server_error_page_needs_no_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.server_error(rf.get("/route-maps/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_a_form_sent_without_its_security_token_explains_what_to_do():
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "someone", "password": "secret"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Your form could not be sent" in page
    assert "reload the page" in page
    assert "sign in again" in page
    assert "design-system.min.css" in page
    assert "icons.stack.svg" in page  # the full site page, header search included
    assert "CSRF" not in page


def test_a_refused_request_is_logged_in_one_line_without_a_traceback(client, caplog):
    client.force_login(UserFactory())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("editing:dashboard"))
    assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert len(refused) == 1
    logged = caplog.handler.format(refused[0])
    assert "Forbidden (Permission denied): /edit/" in logged
    assert "Traceback" not in logged
    assert len(logged.splitlines()) == 1


def test_a_server_error_is_still_logged_with_its_traceback(monkeypatch, caplog):
    monkeypatch.setattr("public.views.render", broken_render)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        Client(raise_request_exception=False).get(reverse("accessibility"))
    assert "Traceback" in caplog.text
    assert "a bug" in caplog.text


# ---------------------------------------------------------------------- constraint messages


def test_publishing_a_response_without_consent_says_why_in_plain_words(client):
    response = ConsultationResponseFactory(consent_to_publish=False)
    client.force_login(ModeratorFactory())
    url = reverse("sources-edit:moderate", args=[response.document.slug, response.pk])
    page = client.post(url, {"state": "published"}, follow=True).content.decode()
    assert "the respondent did not agree to publication" in page
    assert "published_response_has_consent" not in page
    assert "__all__" not in page
    response.refresh_from_db()
    assert response.state == "pending"


def test_every_constraint_explains_itself_in_plain_words():
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            message = constraint.get_violation_error_message()
            assert constraint.name not in message, f"{model.__name__}: {constraint.name}"
            assert "Constraint" not in message, f"{model.__name__}: {constraint.name}"


# ------------------------------------------------------------------------ Permissions-Policy


def assert_unused_features_are_off(response):
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert f"{feature}=()" in policy, feature
    assert "interest-cohort=()" in policy


def test_public_pages_turn_off_browser_features_the_site_does_not_use(client):
    url = build_route_map(outcomes=1).route_map.get_absolute_url()
    first = client.get(url)
    assert first["X-Cache"] == "miss"
    assert_unused_features_are_off(first)
    cached = client.get(url)
    assert cached["X-Cache"] == "hit"
    assert_unused_features_are_off(cached)


def test_signed_in_pages_turn_off_unused_browser_features_too(client):
    client.force_login(EditorFactory())
    response = client.get(reverse("editing:dashboard"))
    assert response.status_code == 200
    assert_unused_features_are_off(response)
