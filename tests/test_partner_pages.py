"""A partner's own pages: commitments beside milestones under the year they are due, the
public pages' filters, updates on commitments, and changing or withdrawing a waiting update."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from milestones.models import Milestone, Status
from organisations.models import Organisation
from partners import services
from partners.models import ProgressUpdate
from partners.signals import update_submitted
from sources.actions import organisation_action_count
from sources.models import Commitment, CommitmentOrganisation
from tests.factories import (
    AcceptedUpdateFactory,
    CommitmentFactory,
    DeclinedUpdateFactory,
    EditorFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    SourceDocumentFactory,
    UserFactory,
    build_route_map,
    partner_for,
)
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

HOME = "/my-organisation/"


def item_on(page: str, anchor: str) -> str:
    """An action's item on the partner's page: from its id to its "Send" button."""
    start = page.index(anchor)
    return page[start : page.index("Send a progress update", start)]


def name_on(commitment, organisation, role="lead"):
    CommitmentOrganisation.objects.create(
        commitment=commitment, organisation=organisation, role=role
    )
    return commitment


@pytest.fixture
def submitted():
    """The updates the `update_submitted` signal announces while the test runs."""
    sent = []

    def receive(sender, update, **kwargs):
        sent.append(update)

    update_submitted.connect(receive, weak=False)
    yield sent
    update_submitted.disconnect(receive)


@pytest.fixture
def body():
    return OrganisationFactory(name="Care Inspectorate", slug="care-inspectorate")


@pytest.fixture
def other_body():
    return OrganisationFactory(name="Kibble", slug="kibble")


@pytest.fixture
def edition(body):
    return build_route_map(outcomes=1, organisations=[body])


@pytest.fixture
def commitment(body):
    document = SourceDocumentFactory(title="Response to the secure care report")
    return name_on(
        CommitmentFactory(
            document=document,
            reference="8.1",
            title="Joint Action Plan",
            text="The Scottish Government will develop a joint action plan.",
            timescale="Autumn 2025",
            status=Status.IN_PROGRESS,
        ),
        body,
    )


@pytest.fixture
def partner(body):
    return partner_for(body, username="carol", first_name="Carol", last_name="Reid")


@pytest.fixture
def signed_in(client, partner):
    client.force_login(partner)
    return client


def commitment_url(commitment):
    return reverse("partners:commitment_update", args=[commitment.pk])


def edit_url(update):
    return reverse("partners:update_edit", args=[update.pk])


def withdraw_url(update):
    return reverse("partners:update_withdraw", args=[update.pk])


def commitment_update(commitment, organisation, **kwargs):
    return ProgressUpdateFactory(
        milestone=None,
        route_map=None,
        milestone_key=None,
        commitment=commitment,
        organisation=organisation,
        milestone_text=services.commitment_snapshot(commitment),
        milestone_year=commitment.year_to,
        **kwargs,
    )


# --------------------------------------------------------------------------- the seed: COSLA


@pytest.fixture
def cosla(seeded):
    return Organisation.objects.get(slug="cosla")


@pytest.fixture
def joint_action_plan(seeded):
    return Commitment.objects.get(
        document__slug="reimagining-secure-care-response", reference="8.1"
    )


def test_cosla_commitment_8_1_is_listed_counted_and_overdue_everywhere(
    client, cosla, joint_action_plan
):
    assert joint_action_plan.is_overdue()
    assert joint_action_plan.status == Status.IN_PROGRESS
    anchor = f'id="commitment-{joint_action_plan.pk}"'
    count = organisation_action_count(cosla)
    assert count.commitments >= 1

    # The organisations list counts it among COSLA's actions and overdue ones.
    listing = client.get("/organisations/").content.decode()
    row = listing[listing.index('href="/organisations/cosla/"') :].split("</tr>")[0]
    numbers = [int(n) for n in re.findall(r'organisation-table__number">(?:<a[^>]*>)?(\d+)', row)]
    assert numbers == [count.total, count.overdue, count.due_soon]

    # The public organisation page lists it (among the overdue ones).
    public = client.get("/organisations/cosla/", {"overdue": "1"}).content.decode()
    assert anchor in public

    # The partner's own page lists it under 2025, overdue, with a way to send an update.
    client.force_login(partner_for(cosla))
    page = client.get(HOME).content.decode()
    assert anchor in page
    due_2025 = page.index('id="year-2025-heading"')
    assert due_2025 < page.index(anchor) < page.index('id="year-2026-heading"')
    item = item_on(page, anchor)
    assert "Joint Action Plan" in item
    assert "Overdue" in item
    assert commitment_url(joint_action_plan) in item
    commitments = "commitment" if count.commitments == 1 else "commitments"
    assert (
        f"{count.total} actions: {count.milestones} milestones, "
        f"{count.commitments} {commitments}; {count.overdue} overdue"
    ) in page_text(page)
    overdue = client.get(HOME, {"overdue": "1"}).content.decode()
    assert anchor in overdue
    assert anchor not in client.get(HOME, {"due_soon": "1"}).content.decode()


# --------------------------------------------------------------------------- updates on commitments


def test_partner_sends_an_update_on_a_commitment(
    signed_in, partner, body, commitment, submitted, django_capture_on_commit_callbacks
):
    form = signed_in.get(commitment_url(commitment))
    assert form.status_code == 200
    page = form.content.decode()
    assert "8.1 Joint Action Plan" in page
    assert "Where this commitment is now" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            commitment_url(commitment),
            {
                "proposed_status": "delayed",
                "note": "The plan is drafted; COSLA leaders see it in January.",
                "evidence_url": "https://example.org/plan",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == HOME + "#updates"
    update = ProgressUpdate.objects.get()
    assert update.commitment == commitment
    assert update.route_map is None and update.milestone_key is None
    assert update.is_commitment
    assert update.organisation == body and update.submitted_by == partner
    assert update.milestone_text == (
        "8.1 Joint Action Plan\n\nThe Scottish Government will develop a joint action plan."
    )
    assert update.milestone_year == 2025
    assert update.proposed_status == Status.DELAYED
    assert [u.pk for u in submitted] == [update.pk]


def test_a_commitment_without_a_timescale_has_no_year(signed_in, body):
    undated = name_on(CommitmentFactory(timescale="", reference="8.5"), body)
    signed_in.post(commitment_url(undated), {"proposed_status": "in_progress", "note": "Begun."})
    assert ProgressUpdate.objects.get().milestone_year is None
    page = signed_in.get(HOME).content.decode()
    assert page.index(f'id="commitment-{undated.pk}"') > page.index('id="year-none-heading"')
    assert "No year given" in page


def test_commitment_update_form_errors_keep_what_was_typed(signed_in, commitment):
    response = signed_in.post(
        commitment_url(commitment),
        {"proposed_status": "", "note": "Typed by the partner", "evidence_url": "ftp://x.org/a"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Choose the commitment&#x27;s status." in body
    assert "Enter a web address starting http://" in body
    assert "Typed by the partner" in body
    response = signed_in.post(commitment_url(commitment), {"proposed_status": "achieved"})
    assert "Enter what has happened on this commitment." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_commitment_updates_fail_closed(client, body, other_body, commitment):
    unnamed = CommitmentFactory()
    hidden = name_on(CommitmentFactory(document=SourceDocumentFactory(is_published=False)), body)
    data = {"proposed_status": "achieved", "note": "Done"}
    client.force_login(partner_for(body))
    for refused in [unnamed, hidden]:
        assert client.get(commitment_url(refused)).status_code == 404
        assert client.post(commitment_url(refused), data).status_code == 404
    assert client.get("/my-organisation/commitments/999999/update/").status_code == 404
    client.force_login(partner_for(other_body))
    assert client.post(commitment_url(commitment), data).status_code == 404
    client.force_login(EditorFactory(all_route_maps=True, all_source_documents=True))
    assert client.post(commitment_url(commitment), data).status_code == 403
    client.logout()
    response = client.post(commitment_url(commitment), data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ProgressUpdate.objects.exists()


def test_submit_service_refuses_commitments_the_partner_may_not_report_on(
    body, other_body, commitment, milestone
):
    hidden = name_on(CommitmentFactory(document=SourceDocumentFactory(is_published=False)), body)
    cases = [
        (partner_for(other_body), commitment),
        (partner_for(body), hidden),
        (UserFactory(), commitment),
    ]
    for user, refused in cases:
        with pytest.raises(PermissionDenied):
            services.progress_update_submit(
                user=user, commitment=refused, proposed_status="achieved", note="Done"
            )
    with pytest.raises(ValueError):
        services.progress_update_submit(
            user=partner_for(body),
            commitment=commitment,
            milestone_key=milestone.key,
            route_map=milestone.outcome.edition.route_map,
            proposed_status="achieved",
            note="Done",
        )
    with pytest.raises(ValueError):
        services.progress_update_submit(
            user=partner_for(body), proposed_status="achieved", note="Done"
        )
    assert not ProgressUpdate.objects.exists()


# --------------------------------------------------------------------------- after sending


def test_partner_sees_their_note_and_evidence_beside_the_action_and_in_their_updates(
    signed_in, partner, body, milestone, commitment
):
    on_milestone = ProgressUpdateFactory(
        milestone=milestone,
        organisation=body,
        submitted_by=partner,
        note="Inspections restarted in May.",
        evidence_url="https://example.org/inspections",
    )
    on_commitment = commitment_update(
        commitment, body, submitted_by=partner, note="Plan drafted with COSLA."
    )
    page = signed_in.get(HOME).content.decode()
    item = item_on(page, f'id="milestone-{milestone.key}"')
    assert "Inspections restarted in May." in item
    assert 'href="https://example.org/inspections" rel="noopener noreferrer nofollow"' in item
    assert "Waiting for review" in item
    assert edit_url(on_milestone) in item and withdraw_url(on_milestone) in item
    item = item_on(page, f'id="commitment-{commitment.pk}"')
    assert "Plan drafted with COSLA." in item
    updates = page[page.index('id="updates"') :]
    assert updates.index(f'id="update-{on_commitment.pk}"') < updates.index(
        f'id="update-{on_milestone.pk}"'
    )  # newest first
    for text in ["Inspections restarted in May.", "Plan drafted with COSLA.", "Carol Reid"]:
        assert text in updates
    assert "Commitment in Response to the secure care report" in updates
    assert "<table" not in updates  # cards, which stack on a phone


def test_a_declined_update_shows_its_reason_beside_the_milestone(
    signed_in, partner, body, milestone
):
    DeclinedUpdateFactory(
        milestone=milestone,
        organisation=body,
        decline_reason="Please link the published inspection report.",
    )
    page = signed_in.get(HOME).content.decode()
    item = item_on(page, f'id="milestone-{milestone.key}"')
    assert "Declined" in item
    assert "Reason: Please link the published inspection report." in item
    assert "Withdraw" not in item


def test_an_accepted_update_says_when_it_will_be_or_was_published(
    signed_in, body, milestone, commitment
):
    accepted = {"state": ProgressUpdate.State.ACCEPTED, "reviewed_at": timezone.now()}
    on_milestone = ProgressUpdateFactory(milestone=milestone, organisation=body, **accepted)
    on_commitment = commitment_update(commitment, body, **accepted)
    page = page_text(signed_in.get(HOME).content.decode())
    assert "Shown publicly once the route map is next published." in page
    assert "Shown publicly once the source document is next published." in page

    day = timezone.make_aware(datetime.datetime(2026, 3, 3, 10, 0))
    ProgressUpdate.objects.filter(pk__in=[on_milestone.pk, on_commitment.pk]).update(
        published_at=day
    )
    html = signed_in.get(HOME).content.decode()
    assert "next published" not in html
    assert page_text(html).count("Published on 3 March 2026") == 4  # beside each, and in the list
    route_map = milestone.outcome.edition.route_map
    assert f'href="{route_map.get_absolute_url()}#milestone-{milestone.key}"' in html
    assert f'href="{commitment.get_absolute_url()}"' in html


def test_a_note_the_editor_reworded_shows_the_words_changed(signed_in, body, milestone):
    AcceptedUpdateFactory(
        milestone=milestone,
        organisation=body,
        note="Inspections restarted in May.",
        accepted_note="Inspections restarted in June.",
    )
    html = signed_in.get(HOME).content.decode()
    assert "The editor changed your note:" in html
    assert '<del class="word-diff__del"><span class="visually-hidden">[removed: </span>May.' in html


def test_an_unchanged_accepted_note_is_not_called_changed(signed_in, body, milestone):
    update = AcceptedUpdateFactory(milestone=milestone, organisation=body)
    update.accepted_note = update.credited_note()
    update.save()
    assert "The editor changed your note" not in signed_in.get(HOME).content.decode()


# --------------------------------------------------------------------------- changing an update


def test_partner_changes_a_waiting_update(
    signed_in, partner, body, milestone, submitted, django_capture_on_commit_callbacks
):
    update = ProgressUpdateFactory(
        milestone=milestone, organisation=body, submitted_by=partner, note="First words."
    )
    form = signed_in.get(edit_url(update))
    assert form.status_code == 200
    assert "First words." in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            edit_url(update),
            {"proposed_status": "achieved", "note": "Better words.", "evidence_url": ""},
        )
    assert response.status_code == 302
    assert response["Location"] == f"{HOME}#update-{update.pk}"
    update.refresh_from_db()
    assert (update.note, update.proposed_status) == ("Better words.", "achieved")
    assert update.state == ProgressUpdate.State.PENDING
    assert [u.pk for u in submitted] == [update.pk]
    assert "Your update has been changed." in signed_in.get(HOME).content.decode()


def test_a_colleague_in_the_same_organisation_may_change_it(client, body, milestone):
    update = ProgressUpdateFactory(milestone=milestone, organisation=body)
    client.force_login(partner_for(body))
    data = {"proposed_status": "delayed", "note": "Corrected by a colleague."}
    assert client.post(edit_url(update), data).status_code == 302


def test_a_changed_update_is_validated_again_and_keeps_what_was_typed(signed_in, body, milestone):
    update = ProgressUpdateFactory(milestone=milestone, organisation=body, note="First words.")
    response = signed_in.post(
        edit_url(update),
        {"proposed_status": "achieved", "note": "Kept text", "evidence_url": "javascript:x()"},
    )
    assert response.status_code == 400
    body_html = response.content.decode()
    assert "There is a problem" in body_html
    assert "Kept text" in body_html
    response = signed_in.post(edit_url(update), {"proposed_status": "achieved", "note": " "})
    assert "Enter what has happened on this milestone." in response.content.decode()
    update.refresh_from_db()
    assert update.note == "First words."


def test_an_update_reviewed_meanwhile_is_not_changed_and_the_typed_text_stays(
    signed_in, body, milestone
):
    update = ProgressUpdateFactory(milestone=milestone, organisation=body, note="First words.")
    assert signed_in.get(edit_url(update)).status_code == 200
    ProgressUpdate.objects.filter(pk=update.pk).update(
        state=ProgressUpdate.State.ACCEPTED, reviewed_at=timezone.now()
    )
    response = signed_in.post(
        edit_url(update), {"proposed_status": "achieved", "note": "Words typed too late."}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "This update was already accepted." in page
    assert "your changes were not saved" in page
    assert "Words typed too late." in page
    update.refresh_from_db()
    assert update.note == "First words."
    # Opening it again says why it cannot be changed.
    response = signed_in.get(edit_url(update), follow=True)
    assert "This update was already accepted, so it can no longer be changed." in (
        response.content.decode()
    )


def test_another_organisations_update_cannot_be_changed_or_withdrawn(
    client, body, other_body, milestone
):
    update = ProgressUpdateFactory(milestone=milestone, organisation=body, note="Ours.")
    client.force_login(partner_for(other_body))
    for url in [edit_url(update), withdraw_url(update)]:
        assert client.get(url).status_code == 404
    assert (
        client.post(edit_url(update), {"proposed_status": "achieved", "note": "x"}).status_code
        == 404
    )
    assert client.post(withdraw_url(update)).status_code == 404
    client.force_login(EditorFactory(all_route_maps=True))
    assert client.post(withdraw_url(update)).status_code == 403
    update.refresh_from_db()
    assert (update.note, update.state) == ("Ours.", ProgressUpdate.State.PENDING)
    with pytest.raises(PermissionDenied):
        services.progress_update_withdraw(update=update, user=partner_for(other_body))


# --------------------------------------------------------------------------- withdrawing


def test_partner_withdraws_a_waiting_update_after_confirming(
    signed_in, body, milestone, commitment
):
    update = commitment_update(commitment, body)
    confirm = signed_in.get(withdraw_url(update))
    assert confirm.status_code == 200
    assert "Withdraw your progress update?" in confirm.content.decode()
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING  # asking changes nothing
    response = signed_in.post(withdraw_url(update))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.WITHDRAWN
    page = signed_in.get(HOME).content.decode()
    assert "Your update was withdrawn." in page
    card = page[page.index(f'id="update-{update.pk}"') :]
    assert "Withdrawn" in card
    assert edit_url(update) not in page


def test_withdrawing_needs_the_csrf_token(partner, body, milestone):
    update = ProgressUpdateFactory(milestone=milestone, organisation=body)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(partner)
    assert strict.post(withdraw_url(update)).status_code == 403
    assert strict.post(edit_url(update), {"note": "x"}).status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING


def test_a_reviewed_update_cannot_be_withdrawn(signed_in, partner, body, milestone):
    update = DeclinedUpdateFactory(milestone=milestone, organisation=body)
    response = signed_in.post(withdraw_url(update), follow=True)
    assert "This update was already declined" in response.content.decode()
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.DECLINED
    with pytest.raises(services.AlreadyReviewed):
        services.progress_update_withdraw(update=update, user=partner)


# --------------------------------------------------------------------------- a second update


def test_a_second_update_is_warned_about_and_may_still_be_sent(
    signed_in, body, other_body, milestone, commitment
):
    assert (
        "already sent an update" not in signed_in.get(commitment_url(commitment)).content.decode()
    )
    waiting = commitment_update(commitment, body)
    commitment_update(commitment, other_body)  # another body's does not count
    page = signed_in.get(commitment_url(commitment)).content.decode()
    assert "already sent an update on this commitment" in page
    assert f'href="{edit_url(waiting)}">Change that update</a>' in page
    response = signed_in.post(
        commitment_url(commitment), {"proposed_status": "achieved", "note": "Another one."}
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(organisation=body).count() == 2


def test_only_a_waiting_update_on_the_same_milestone_warns(signed_in, body, edition, milestone):
    url = reverse("partners:update", args=[milestone.key])
    ProgressUpdateFactory(milestone=milestone, organisation=body, state="declined")
    elsewhere = Milestone.objects.get(outcome__edition=edition, year=2028)
    ProgressUpdateFactory(milestone=elsewhere, organisation=body)
    assert "already sent an update" not in signed_in.get(url).content.decode()
    ProgressUpdateFactory(milestone=milestone, organisation=body)
    assert "already sent an update on this milestone" in signed_in.get(url).content.decode()


# --------------------------------------------------------------------------- filters and exports


def test_filters_narrow_the_list_and_nothing_matched_offers_filters_to_remove(
    signed_in, edition, commitment, clock
):
    clock.move_to(datetime.date(2026, 11, 30))
    page = signed_in.get(HOME, {"year": "2027"}).content.decode()
    assert 'id="year-2027-heading"' in page
    assert 'id="year-2025-heading"' not in page
    assert f'id="commitment-{commitment.pk}"' not in page
    assert "Year: 2027" in page
    overdue = signed_in.get(HOME, {"overdue": "1"}).content.decode()
    assert f'id="commitment-{commitment.pk}"' in overdue
    assert 'id="year-2027-heading"' not in overdue
    nothing = signed_in.get(HOME, {"year": "2030", "overdue": "1"})
    assert nothing.status_code == 200
    html = nothing.content.decode()
    assert "Nothing matched these filters" in html
    assert 'href="/my-organisation/?year=2030">Remove “Only overdue”</a>' in html
    assert 'href="/my-organisation/?overdue=1">Remove “Year: 2030”</a>' in html
    # The summary still counts every action.
    assert "8 actions: 7 milestones, 1 commitment" in page_text(html)


def test_bad_filters_give_an_error_summary_not_a_failure(signed_in, edition):
    response = signed_in.get(HOME, {"year": "2031", "status": "<b>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose a year from 2024 to 2030." in page
    assert "Your updates" in page


def test_blank_filters_from_a_form_without_javascript_are_dropped(signed_in, edition):
    response = signed_in.get(HOME, {"overdue": "1", "year": "", "status": ""})
    assert response.status_code == 302
    assert response["Location"] == HOME + "?overdue=1"


def test_htmx_gets_only_the_results(signed_in, edition):
    response = signed_in.get(HOME, {"year": "2027"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="year-2027-heading"' in page
    assert "Your updates" not in page
    assert response["HX-Push-Url"] == HOME + "?year=2027"
    assert "HX-Request" in response["Vary"]


def test_page_links_to_the_organisations_csv_and_calendar(signed_in, body, edition):
    page = signed_in.get(HOME, {"overdue": "1"}).content.decode()
    assert 'href="/timeline/export.csv?organisation=care-inspectorate&amp;overdue=1"' in page
    assert 'href="/organisations/care-inspectorate/calendar.ics"' in page
    assert 'action="/my-organisation/"' in page  # the filter form, a plain GET form
    assert 'data-hx-get="/my-organisation/"' in page


# --------------------------------------------------------------------------- queries


@pytest.fixture(params=[1, 8], ids=["1x", "8x"])
def scale(request):
    return request.param


def test_filtered_page_uses_a_bounded_number_of_queries(
    client, scale, django_assert_max_num_queries
):
    body = OrganisationFactory()
    partner = partner_for(body)
    for _ in range(scale):
        edition = build_route_map(outcomes=1, organisations=[body])
        for milestone in Milestone.objects.filter(outcome__edition=edition)[:2]:
            ProgressUpdateFactory(milestone=milestone, organisation=body, submitted_by=partner)
        commitment = name_on(CommitmentFactory(), body)
        commitment_update(commitment, body, submitted_by=partner)
    client.force_login(partner)
    with django_assert_max_num_queries(21):
        assert client.get(HOME).status_code == 200
    with django_assert_max_num_queries(23):
        assert client.get(HOME, {"year": "2025"}).status_code == 200
