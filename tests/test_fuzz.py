"""Property-based fuzzing: no input, however odd, makes a public URL, the API or a form fail
with a server error."""

from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milestones.models import Milestone
from tests.factories import (
    ConsultationFactory,
    ConsultationQuestionFactory,
    EditorFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any text, including control characters, surrogates-free unicode and very long strings.
text = st.text(max_size=300) | st.text(alphabet="<>\"'&%;=/\\\x00\x7f{}[]", max_size=50)
TIMELINE_PARAMETERS = [
    "organisation",
    "sector",
    "foundation",
    "route_map",
    "outcome",
    "year",
    "year_from",
    "year_to",
    "status",
    "overdue",
    "due_soon",
    "page",
]


@pytest.fixture
def data(db):
    edition = build_route_map(outcomes=1)
    return edition


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what} -> {response.status_code}"


@FUZZ
@given(params=st.dictionaries(st.sampled_from(TIMELINE_PARAMETERS), text, max_size=5))
def test_timeline_and_exports_survive_any_filters(data, params):
    client = Client()
    query = urlencode(params)
    for path in ("/timeline/", "/timeline/export.csv", "/timeline/export.json"):
        response = client.get(f"{path}?{query}")
        assert_no_server_error(response, f"{path}?{query}")
        if response.streaming:
            b"".join(response.streaming_content)


@FUZZ
@given(q=text)
def test_search_survives_any_query(data, q):
    response = Client().get("/search/", {"q": q})
    assert_no_server_error(response, f"search {q!r}")


@FUZZ
@given(slug=text, version=text)
def test_api_and_pages_answer_unknown_input_with_4xx(data, slug, version):
    client = Client()
    quoted = quote(slug, safe="")
    for url in (
        f"/api/route-maps/{quoted}/",
        f"/api/organisations/{quoted}/",
        f"/route-maps/{quoted}/",
        f"/organisations/{quoted}/calendar.ics",
    ):
        assert_no_server_error(client.get(url), url)
    changes = f"/route-maps/{data.route_map.slug}/changes/"
    response = client.get(changes, {"from_version": version, "to_version": slug})
    assert_no_server_error(response, changes)


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            "text": text,
            "year": text,
            "status": text,
            "progress_note": text,
            "revision": text,
            "lead_organisations": text,
            "lead_organisations_add": text,
            "subject_to_decisions_after_may_2026": text,
        },
    )
)
def test_milestone_form_survives_any_post(data, values):
    client = Client()
    client.force_login(EditorFactory(all_route_maps=True, username="fuzz-editor"))
    milestone = Milestone.objects.filter(outcome__edition=data).first()
    url = f"/edit/route-maps/{data.route_map.slug}/milestones/{milestone.key}/"
    assert_no_server_error(client.post(url, values), url)


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            "email": text,
            "target": text,
            "name": text,
            "organisation": text,
            "respondent_type": text,
            "consent_to_publish": text,
            "website": text,
        },
    )
)
def test_public_forms_survive_any_post(data, values):
    consultation = ConsultationFactory(slug="open-consultation-fuzz")
    ConsultationQuestionFactory(document=consultation)
    client = Client()
    for url in (
        f"/subscriptions/new/?route_map={data.route_map.slug}",
        f"/sources/{consultation.slug}/respond/",
        "/accounts/login/",
        "/accounts/password_reset/",
    ):
        assert_no_server_error(client.post(url, values), url)
    consultation.delete()
