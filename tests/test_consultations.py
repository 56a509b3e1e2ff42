"""Answering a consultation on the site, and moderating and exporting the responses."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sources import services
from sources.models import ConsultationAnswer, ConsultationResponse, SourceDocument
from tests.days import on
from tests.factories import (
    ConsultationAnswerFactory,
    ConsultationFactory,
    ConsultationResponseFactory,
    EditorFactory,
    ModeratorFactory,
    PublisherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

KINSHIP = "vision-for-kinship-care"


def form_data(document: SourceDocument, **overrides) -> dict:
    first, second = document.questions.all()
    data = {
        "name": "Morag",
        "organisation": "",
        "respondent_type": "kinship_carer",
        f"answer_{first.pk}": "Respite breaks.",
        f"answer_{second.pk}": "",
        "consent_to_publish": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def respond(client, document, data=None, **extra):
    return client.post(f"/sources/{document.slug}/respond/", data or form_data(document), **extra)


# --- The form -------------------------------------------------------------------------------


def test_open_consultation_shows_the_form_with_labels_hints_and_legend(client, consultation):
    page = client.get(consultation.get_absolute_url()).content.decode()
    first, second = consultation.questions.all()
    assert f'action="/sources/{consultation.slug}/respond/#error-summary"' in page
    assert f'<label class="ds_label" for="id_answer_{first.pk}">1. What helps?</label>' in page
    assert f'id="id_answer_{second.pk}_hint"' in page
    assert f'aria-describedby="id_answer_{second.pk}_hint"' in page
    assert '<legend class="ds_label">Which of these best describes you?</legend>' in page
    assert 'type="radio" name="respondent_type" value="kinship_carer"' in page
    assert 'type="checkbox" name="consent_to_publish"' in page
    assert "This consultation is open until" in page


def test_honeypot_is_hidden_from_people_and_labelled(client, consultation):
    page = client.get(consultation.get_absolute_url()).content.decode()
    honeypot = page.split('<div class="visually-hidden" aria-hidden="true">')[1].split("</div>")[0]
    assert '<label for="id_website">Leave this field empty</label>' in honeypot
    assert 'autocomplete="off"' in honeypot
    assert 'tabindex="-1"' in honeypot


def test_a_response_is_stored_with_a_hashed_address_and_confirmed(client, consultation):
    response = respond(client, consultation, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert response["Location"] == f"/sources/{consultation.slug}/thank-you/"
    stored = ConsultationResponse.objects.get()
    assert stored.name == "Morag"
    assert stored.respondent_type == "kinship_carer"
    assert stored.consent_to_publish is True
    assert stored.state == ConsultationResponse.State.PENDING
    assert [a.text for a in stored.answers.all()] == ["Respite breaks."]  # blank ones not kept
    assert len(stored.address_hash) == 64
    assert "203.0.113.9" not in stored.address_hash
    assert stored.address_hash == services.address_hash("203.0.113.9")
    thanks = client.get(response["Location"]).content.decode()
    assert "Your response to “Shaping kinship support” has been sent" in thanks


def test_at_least_one_answer_is_required_and_what_was_typed_is_kept(client, consultation):
    first, _ = consultation.questions.all()
    data = form_data(consultation, **{f"answer_{first.pk}": "   ", "name": "Morag Example"})
    response = respond(client, consultation, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="ds_error-summary"' in page
    assert f'<a href="#id_answer_{first.pk}">Answer at least one question</a>' in page
    assert f'id="id_answer_{first.pk}_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Morag Example"' in page
    assert "<title>Error: " in page
    assert not ConsultationResponse.objects.exists()


def test_the_respondent_type_is_required(client, consultation):
    response = respond(client, consultation, form_data(consultation, respondent_type=""))
    page = response.content.decode()
    assert '<a href="#id_respondent_type_0">Select which of these best describes you</a>' in page
    assert 'aria-describedby="id_respondent_type_error"' in page
    assert "Respite breaks." in page  # the answer typed is kept
    assert not ConsultationResponse.objects.exists()


def test_a_bot_filling_the_honeypot_sees_success_but_nothing_is_stored(client, consultation):
    data = form_data(consultation, website="http://spam.example")
    response = respond(client, consultation, data)
    assert response.status_code == 302
    assert response["Location"].endswith("/thank-you/")
    assert not ConsultationResponse.objects.exists()


def test_more_than_five_responses_an_hour_from_one_address_are_refused(client, consultation):
    for _ in range(services.RATE_LIMIT):
        assert respond(client, consultation, REMOTE_ADDR="198.51.100.7").status_code == 302
    response = respond(client, consultation, REMOTE_ADDR="198.51.100.7")
    page = response.content.decode()
    assert response.status_code == 429
    assert 'class="ds_error-summary"' in page
    assert "You have sent a lot of responses from this connection" in page
    assert "Respite breaks." in page
    assert ConsultationResponse.objects.count() == services.RATE_LIMIT
    assert respond(client, consultation, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_the_rate_limit_counts_only_the_last_hour(consultation):
    address = services.address_hash("192.0.2.1")
    ConsultationResponseFactory.create_batch(
        services.RATE_LIMIT, document=consultation, address_hash=address
    )
    assert services.is_rate_limited(address_hash=address)
    later = ConsultationResponse.objects.first().created_at + datetime.timedelta(hours=1, minutes=1)
    assert not services.is_rate_limited(address_hash=address, now=later)


def test_behind_a_proxy_the_address_is_read_from_the_right_of_forwarded_for(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    assert services.client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_HOPS = 1
    assert services.client_address(request) == "203.0.113.5"


# --- Closing date -----------------------------------------------------------------------------


@pytest.mark.dates
def test_a_consultation_is_open_on_its_closing_day_and_closed_after(client, consultation):
    closes = consultation.closes_on
    with on(closes):
        assert respond(client, consultation).status_code == 302
    with on(closes + datetime.timedelta(days=1)):
        page = client.get(consultation.get_absolute_url()).content.decode()
        response = respond(client, consultation)
    assert "This consultation closed on" in page
    assert 'action="/sources/' not in page
    assert response.status_code == 410
    assert f"This consultation closed on {closes.day} {closes:%B %Y}" in response.content.decode()
    assert ConsultationResponse.objects.count() == 1


@pytest.mark.dates
def test_the_seeded_kinship_consultation_refuses_responses_after_21_february_2026(client, seeded):
    document = SourceDocument.objects.get(slug=KINSHIP)
    question = document.questions.first()
    data = {"respondent_type": "kinship_carer", f"answer_{question.pk}": "Too late?"}
    with on(datetime.date(2026, 2, 21)):
        page = client.get(f"/sources/{KINSHIP}/").content.decode()
    assert f'id="id_answer_{question.pk}"' in page
    with on(datetime.date(2026, 3, 1)):
        page = client.get(f"/sources/{KINSHIP}/").content.decode()
        response = client.post(f"/sources/{KINSHIP}/respond/", data)
    assert "This consultation closed on 21 February 2026" in page
    assert f'id="id_answer_{question.pk}"' not in page
    assert response.status_code == 410
    assert "This consultation closed on 21 February 2026" in response.content.decode()
    assert not ConsultationResponse.objects.exists()


@pytest.mark.dates
def test_pages_saying_a_consultation_is_open_are_not_kept_in_the_public_cache(client, consultation):
    client.get("/sources/")
    client.get("/api/sources/")
    with on(consultation.closes_on + datetime.timedelta(days=1)):
        listing = client.get("/sources/").content.decode()
        api = client.get("/api/sources/").json()
    assert "Closed " in listing and "Open: closes" not in listing
    assert api["sources"][0]["is_open"] is False


@pytest.mark.dates
def test_a_published_response_shows_at_once_on_a_cached_page(client, db):
    document = ConsultationFactory(closes_on=datetime.date(2026, 2, 21))
    answer = ConsultationAnswerFactory(response__document=document, text="Kept in the cache?")
    with on(datetime.date(2026, 3, 1)):
        assert answer.text not in client.get(document.get_absolute_url()).content.decode()
        services.consultation_response_moderate(
            response=answer.response, state="published", user=None
        )
        assert answer.text in client.get(document.get_absolute_url()).content.decode()


@pytest.mark.dates
def test_the_service_refuses_a_closed_consultation_whatever_the_caller(consultation):
    question = consultation.questions.first()
    with pytest.raises(services.ConsultationClosed):
        services.consultation_response_submit(
            document=consultation,
            respondent_type="other",
            answers={question: "Hello"},
            today=consultation.closes_on + datetime.timedelta(days=1),
        )
    assert not ConsultationResponse.objects.exists()


def test_only_consultations_take_responses(client, db):
    document = ConsultationFactory(kind="report", closes_on=None)
    assert client.post(f"/sources/{document.slug}/respond/", {}).status_code == 404
    assert client.get(f"/sources/{document.slug}/respond/").status_code == 405


# --- Moderation ---------------------------------------------------------------------------------


def moderation_url(document, response=None) -> str:
    if response is None:
        return f"/edit/sources/{document.slug}/responses/"
    return f"/edit/sources/{document.slug}/responses/{response.pk}/moderate/"


def test_a_moderator_publishes_a_consented_response(client, consultation):
    moderator = ModeratorFactory()
    response = ConsultationAnswerFactory(response__document=consultation).response
    client.force_login(moderator)
    result = client.post(moderation_url(consultation, response), {"state": "published"})
    assert result.status_code == 302
    response.refresh_from_db()
    assert response.state == ConsultationResponse.State.PUBLISHED
    assert response.moderated_by == moderator
    assert response.moderated_at is not None
    assert (
        response.answers.first().text
        in client.get(consultation.get_absolute_url()).content.decode()
    )


def test_a_response_without_consent_can_never_be_published(client, consultation):
    response = ConsultationResponseFactory(document=consultation, consent_to_publish=False)
    client.force_login(ModeratorFactory())
    result = client.post(
        moderation_url(consultation, response), {"state": "published"}, follow=True
    )
    assert "did not agree to publication" in result.content.decode()
    response.refresh_from_db()
    assert response.state == ConsultationResponse.State.PENDING
    with pytest.raises(ValidationError):
        services.consultation_response_moderate(response=response, state="published", user=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationResponse.objects.filter(pk=response.pk).update(state="published")


def test_a_moderator_rejects_a_response(client, consultation):
    response = ConsultationResponseFactory(document=consultation, state="published")
    client.force_login(ModeratorFactory())
    client.post(moderation_url(consultation, response), {"state": "rejected"})
    response.refresh_from_db()
    assert response.state == ConsultationResponse.State.REJECTED


def test_an_unknown_state_is_refused(client, consultation):
    response = ConsultationResponseFactory(document=consultation)
    client.force_login(ModeratorFactory())
    result = client.post(moderation_url(consultation, response), {"state": "deleted"}, follow=True)
    assert "Unknown moderation state" in result.content.decode()
    response.refresh_from_db()
    assert response.state == ConsultationResponse.State.PENDING


def test_moderation_page_lists_responses_by_state_with_personal_details(client, consultation):
    pending = ConsultationAnswerFactory(
        response__document=consultation, response__name="Pending Person", text="Answer one"
    ).response
    ConsultationAnswerFactory(
        response__document=consultation,
        response__name="Published Person",
        response__state="published",
    )
    no_consent = ConsultationResponseFactory(document=consultation, consent_to_publish=False)
    client.force_login(ModeratorFactory())
    page = client.get(moderation_url(consultation)).content.decode()
    assert "Pending Person" in page and "Answer one" in page
    assert "Published Person" not in page
    assert f'action="{moderation_url(consultation, pending)}"' in page
    assert "the author did not agree to publication" in page
    assert no_consent.pk
    assert "Waiting for moderation (2)" in page and "Published (1)" in page
    assert "All (3)" in page
    published = client.get(moderation_url(consultation) + "?state=published").content.decode()
    assert "Published Person" in published
    everything = client.get(moderation_url(consultation) + "?state=all").content.decode()
    assert "Pending Person" in everything and "Published Person" in everything


# --- CSV export ---------------------------------------------------------------------------------


def test_csv_export_has_every_response_and_defuses_formulas(client, consultation):
    first, second = consultation.questions.all()
    response = ConsultationResponseFactory(
        document=consultation, name='=HYPERLINK("http://evil")', organisation="@SUM(A1)"
    )
    ConsultationAnswer.objects.create(response=response, question=first, text="+44 plain")
    ConsultationAnswer.objects.create(response=response, question=second, text="Fine, thanks")
    ConsultationResponseFactory(document=consultation, name="Second", consent_to_publish=False)
    client.force_login(ModeratorFactory())
    result = client.get(f"/edit/sources/{consultation.slug}/responses.csv")
    assert result.status_code == 200
    assert result["Content-Type"].startswith("text/csv")
    assert f'filename="{consultation.slug}-responses-' in result["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(result.content.decode())))
    assert rows[0][:7] == [
        "id",
        "received",
        "respondent_type",
        "name",
        "organisation",
        "consent_to_publish",
        "state",
    ]
    assert rows[0][-2:] == ["1. What helps?", "2. What is missing?"]
    assert len(rows) == 3
    row = rows[1]
    assert row[3] == '\'=HYPERLINK("http://evil")'
    assert row[4] == "'@SUM(A1)"
    assert row[-2:] == ["'+44 plain", "Fine, thanks"]
    assert rows[2][5] == "no"


# --- Permissions ----------------------------------------------------------------------------------


def editor_urls(document) -> list[tuple[str, str]]:
    response = ConsultationResponseFactory(document=document)
    return [
        ("get", "/edit/sources/"),
        ("get", f"/edit/sources/{document.slug}/responses/"),
        ("get", f"/edit/sources/{document.slug}/responses.csv"),
        ("post", f"/edit/sources/{document.slug}/responses/{response.pk}/moderate/"),
    ]


def test_anonymous_readers_are_sent_to_sign_in(client, consultation):
    for method, url in editor_urls(consultation):
        result = getattr(client, method)(url, {"state": "rejected"} if method == "post" else {})
        assert result.status_code == 302, url
        assert result["Location"].startswith("/accounts/login/?next=/edit/sources/"), url
    assert not ConsultationResponse.objects.exclude(state="pending").exists()


def test_people_without_an_editorial_role_are_refused(client, consultation):
    client.force_login(UserFactory())
    for method, url in editor_urls(consultation):
        result = getattr(client, method)(url, {"state": "rejected"} if method == "post" else {})
        assert result.status_code == 403, url
    assert not ConsultationResponse.objects.exclude(state="pending").exists()


def test_moderators_can_moderate_and_export(client, consultation):
    client.force_login(ModeratorFactory())
    for method, url in editor_urls(consultation):
        result = getattr(client, method)(url, {"state": "rejected"} if method == "post" else {})
        assert result.status_code in (200, 302), url
    assert ConsultationResponse.objects.filter(state="rejected").exists()


@pytest.mark.parametrize(
    "make_user",
    [
        lambda document: EditorFactory(source_documents=[document]),
        lambda document: EditorFactory(all_source_documents=True),
        lambda document: PublisherFactory(),
    ],
    ids=["assigned editor", "editor of every document", "publisher"],
)
def test_only_moderators_see_respondents_names(client, consultation, make_user):
    """Responses carry names and organisations: editing a consultation does not show them."""
    ConsultationResponseFactory(document=consultation, name="Private Person")
    client.force_login(make_user(consultation))
    listing = client.get("/edit/sources/")
    assert listing.status_code == 200
    assert moderation_url(consultation) not in listing.content.decode()
    for method, url in editor_urls(consultation)[1:]:
        result = getattr(client, method)(url, {"state": "rejected"} if method == "post" else {})
        assert result.status_code == 403, url
        assert "Private Person" not in result.content.decode()
    assert not ConsultationResponse.objects.exclude(state="pending").exists()
    assert client.get(f"/edit/sources/{consultation.slug}/").status_code == 200


def test_a_moderator_finds_the_responses_from_the_editing_link(client, consultation):
    ConsultationResponseFactory(document=consultation, name="Private Person")
    client.force_login(ModeratorFactory())
    dashboard = client.get("/edit/", follow=True)
    assert dashboard.redirect_chain[-1][0] == "/edit/sources/"
    assert moderation_url(consultation) in dashboard.content.decode()
    assert "Private Person" in client.get(moderation_url(consultation)).content.decode()


def test_editor_pages_for_an_unknown_consultation_are_404(client, db):
    client.force_login(ModeratorFactory())
    assert client.get("/edit/sources/nothing/responses/").status_code == 404
