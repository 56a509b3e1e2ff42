"""The JSON API's OpenAPI description (public/openapi.yaml, served at /api/openapi.json):
it is valid, it describes every address under /api/, and the API answers as it says, for
requests schemathesis generates from it (example slugs, random slugs, broken slugs)."""

import datetime
import json
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
import yaml
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from milestones.models import Milestone, Status
from outcomes.models import ProgressEntry
from routemap.models import RouteMap
from sources.models import Phase, Section, SourceDocument
from tests.factories import (
    CommitmentFactory,
    ConsultationAnswerFactory,
    ConsultationFactory,
    ConsultationQuestionFactory,
    ConsultationResponseFactory,
    FoundationFactory,
    OrganisationFactory,
    RouteMapFactory,
    build_route_map,
    build_source_document,
)

DESCRIPTION = Path(__file__).resolve().parent.parent / "public" / "openapi.yaml"
schema = schemathesis.openapi.from_path(DESCRIPTION)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
IDENTITY = {"Accept-Encoding": "identity"}


def api_routes(patterns=None, prefix: str = "") -> set[str]:
    """Every address Django serves under /api/, written as OpenAPI paths."""
    routes = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            routes.add("/" + route.replace("<slug:slug>", "{slug}"))
    return routes


@pytest.fixture
def published(db):
    """Published content under the slugs the description gives as examples, so those
    requests answer 200 with every kind of field filled in (and some left empty)."""
    inspectorate = OrganisationFactory(
        slug="care-inspectorate", name="Care Inspectorate", abbreviation="", sector="scrutiny"
    )
    edition = build_route_map(outcomes=2, organisations=[inspectorate, OrganisationFactory()])
    RouteMap.objects.filter(pk=edition.route_map_id).update(slug="where-children-live")
    edition.route_map.refresh_from_db()
    milestones = list(Milestone.objects.filter(outcome__edition=edition))
    for milestone, status in zip(milestones, Status.values, strict=False):
        milestone.status = status
        milestone.progress_note = "Under way."
        milestone.subject_to_decisions_after_may_2026 = status == Status.DELAYED
        milestone.save()
    entry = ProgressEntry.objects.filter(outcome__edition=edition).first()
    entry.date = datetime.date(2025, 6, 24)
    entry.save()
    RouteMapFactory(slug="rights-and-restraint", foundation=None)  # nothing published

    document = build_source_document(
        outcomes=edition.outcomes.all(), milestones=milestones, organisations=[inspectorate]
    )
    SourceDocument.objects.filter(pk=document.pk).update(slug="secure-care-response")
    phase = Phase.objects.create(document=document, label="Phase 1", name="Restore")
    section = Section.objects.create(document=document, number="8", title="Actions")
    CommitmentFactory(
        document=document,
        timescale="",
        phase=phase,
        section=section,
        foundation=FoundationFactory(),
    )

    consultation = ConsultationFactory(slug="kinship-care-vision")  # open: private answers
    question = ConsultationQuestionFactory(document=consultation)
    ConsultationAnswerFactory(
        question=question,
        response=ConsultationResponseFactory(document=consultation, state="published"),
    )
    ConsultationResponseFactory(document=consultation)  # waiting for moderation: not shown


def described_examples() -> list[tuple[str, str]]:
    """Every (path, example slug) the description gives, for the detail addresses."""
    examples = []
    for path, item in schema.raw_schema["paths"].items():
        for parameter in item["get"].get("parameters", []):
            for example in parameter.get("examples", {}).values():
                examples.append((path, example["value"]))
    return examples


def resolve(document: dict, reference: str):
    """The node a local `$ref` ("#/components/...") points at; KeyError when there is none."""
    node = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return node


def references(node):
    """Every `$ref` in the document."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def test_the_served_description_is_valid_openapi_3_1(client):
    served = client.get("/api/openapi.json")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/json"
    document = served.json()
    assert document == yaml.safe_load(DESCRIPTION.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1.")
    schemathesis.openapi.from_dict(json.loads(served.content)).validate()
    for name, definition in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid({"$schema": DIALECT, **definition}), name
    for reference in references(document):
        assert reference.startswith("#/") and resolve(document, reference) is not None


def test_schemathesis_reads_the_served_description(wsgi_app):
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app, headers=IDENTITY)
    labels = {result.ok().label for result in loaded.get_all_operations()}
    # It leaves out the address it was read from.
    assert labels == {f"GET {path}" for path in api_routes() - {"/api/openapi.json"}}


def test_every_api_address_is_described():
    """A new address under /api/ fails here until it is described."""
    assert api_routes() == set(schema.raw_schema["paths"])
    assert "/api/route-maps/{slug}/" in api_routes()


def test_the_description_is_public_and_cacheable(client):
    response = client.get("/api/openapi.json")
    assert "public" in response["Cache-Control"]
    assert client.get("/api/openapi.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.parametrize(("path", "slug"), described_examples())
def test_every_example_in_the_description_answers_with_content(client, published, path, slug):
    """The fuzzing below reaches real content through these examples, not only 404s."""
    response = client.get(path.replace("{slug}", slug))
    assert response.status_code == 200
    assert response.json()["slug"] == slug


def test_other_methods_answer_405_not_the_csrf_failure_page(published):
    client = Client(enforce_csrf_checks=True)
    for url in ("/api/route-maps/", "/api/sources/secure-care-response/", "/api/openapi.json"):
        response = client.post(url)
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD"
        assert client.head(url).status_code == 200, url


def test_the_seed_content_matches_the_description(client, seeded):
    """The real route maps, organisations and documents, which hold what factories do not."""

    def errors(name: str, url: str) -> list[str]:
        validator = jsonschema_rs.Draft202012Validator(
            {"components": schema.raw_schema["components"], "$ref": f"#/components/schemas/{name}"},
            validate_formats=True,
        )
        data = client.get(url).json()
        return [
            f"{url} {error.instance_path}: {error.message}" for error in validator.iter_errors(data)
        ]

    problems = []
    for kind, listing, item in (
        ("route_maps", "RouteMapList", "RouteMapDetail"),
        ("organisations", "OrganisationList", "OrganisationDetail"),
        ("sources", "SourceList", "SourceDetail"),
    ):
        url = f"/api/{kind.replace('_', '-')}/"
        problems += errors(listing, url)
        for entry in client.get(url).json()[kind]:
            problems += errors(item, f"{url}{entry['slug']}/")
    assert problems == []


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_described(case, published, wsgi_app):
    # The in-process client does not undo gzip, which a real client asking for it would.
    case.call_and_validate(app=wsgi_app, headers=IDENTITY, checks=CHECKS)
