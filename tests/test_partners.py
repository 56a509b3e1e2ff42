"""Partner organisations: their own milestones only, progress updates, and editors' review."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.roles import PARTNERS, is_editor, is_partner, partner_organisation
from editing import services as editing
from milestones.models import Milestone, Status
from partners import services
from partners.models import ProgressUpdate
from publishing.models import ChangeRecord
from tests.factories import (
    EditorFactory,
    MilestoneFactory,
    OrganisationFactory,
    PartnerProfileFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
    partner_for,
)

pytestmark = pytest.mark.django_db

MY_ORGANISATION = "/my-organisation/"
QUEUE = "/edit/updates/"


@pytest.fixture
def partner_body():
    return OrganisationFactory(name="Kibble")


@pytest.fixture
def edition(lead, partner_body):
    # Every milestone names `lead`; the outcomes name both bodies.
    return build_route_map(outcomes=2, organisations=[lead, partner_body])


@pytest.fixture
def inherited(edition):
    """A milestone naming no bodies of its own: it inherits the outcome's (both bodies)."""
    return MilestoneFactory(outcome=edition.outcomes.first(), year=2028, text="Inherited work")


@pytest.fixture
def partner(lead):
    return partner_for(lead, username="carol")


def update_url(milestone):
    return reverse("partners:update", args=[milestone.key])


def current_revision(update) -> int:
    """The revision of the milestone as an editor sees it now: the draft's, else the live one."""
    versions = Milestone.objects.filter(
        outcome__edition__route_map=update.route_map, key=update.milestone_key
    )
    draft = versions.filter(outcome__edition__state="draft").first()
    return (draft or versions.get(outcome__edition__state="published")).revision


def accept(client, update, *, note=None, revision=None, **headers):
    """Post a card's accept form as the queue page fills it in (the proposed note, credited)."""
    prefix = f"update-{update.pk}"
    data = {
        f"{prefix}-note": update.credited_note() if note is None else note,
        f"{prefix}-revision": current_revision(update) if revision is None else revision,
    }
    return client.post(reverse("partners_review:accept", args=[update.pk]), data, **headers)


def submit(client, milestone, **data):
    return client.post(
        update_url(milestone),
        {"proposed_status": "in_progress", "note": "Inspections started.", **data},
    )


# --------------------------------------------------------------------------- roles and access


def test_partner_role_gives_an_organisation_and_never_editing(partner, lead):
    assert is_partner(partner)
    assert partner_organisation(partner) == lead
    assert not is_editor(partner)


def test_a_profile_without_the_partners_group_is_not_a_partner(lead):
    user = UserFactory()
    PartnerProfileFactory(user=user, organisation=lead)
    assert partner_organisation(user) is None


@pytest.mark.parametrize(
    ("who", "my_organisation", "queue"),
    [
        ("anonymous", 302, 302),
        ("no role", 403, 403),
        ("partners group without profile", 403, 403),
        ("partner", 200, 403),
        ("editor", 403, 200),
        ("publisher", 403, 200),
    ],
)
def test_permission_matrix_for_partner_pages_and_the_review_queue(
    client, lead, milestone, who, my_organisation, queue
):
    users = {
        "no role": lambda: UserFactory(),
        "partners group without profile": lambda: UserFactory(roles=[PARTNERS]),
        "partner": lambda: partner_for(lead),
        "editor": lambda: EditorFactory(all_route_maps=True),
        "publisher": lambda: PublisherFactory(),
    }
    if who != "anonymous":
        client.force_login(users[who]())
    update = ProgressUpdateFactory(milestone=milestone, organisation=lead)
    for url, expected in [
        (MY_ORGANISATION, my_organisation),
        (update_url(milestone), my_organisation),
        (QUEUE, queue),
        (reverse("partners_review:decline", args=[update.pk]), queue),
    ]:
        response = client.get(url)
        assert response.status_code == expected, (who, url)
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/?next="), url
    response = accept(client, update)
    assert response.status_code == (302 if queue in (200, 302) else 403)
    update.refresh_from_db()
    assert update.state == (ProgressUpdate.State.ACCEPTED if queue == 200 else "pending")


def test_partners_cannot_reach_the_route_map_editor(client, partner, route_map):
    client.force_login(partner)
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 403


def test_partners_signing_in_land_on_their_organisation_page(client, partner):
    client.force_login(partner)
    response = client.get(reverse("editing:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == MY_ORGANISATION


def test_footer_offers_each_role_its_own_link(client, partner, route_map):
    url = route_map.get_absolute_url()
    client.force_login(partner)
    body = client.get(MY_ORGANISATION).content.decode()
    assert 'href="/my-organisation/">My organisation</a>' in body
    assert 'href="/edit/">Editing</a>' not in body
    client.force_login(EditorFactory(all_route_maps=True))
    body = client.get(url).content.decode()
    assert 'href="/edit/">Editing</a>' in body
    assert "My organisation</a>" not in body


# --------------------------------------------------------------------------- scoping


def test_partner_sees_own_and_inherited_milestones_only(
    client, edition, partner_body, inherited, milestone
):
    other = build_route_map(outcomes=1)  # another organisation's route map
    other_milestone = Milestone.objects.filter(outcome__edition=other).first()
    client.force_login(partner_for(partner_body))
    body = client.get(MY_ORGANISATION).content.decode()
    # Every milestone names Care Inspectorate itself, so Kibble inherits only `inherited`.
    assert f'id="milestone-{inherited.key}"' in body
    assert f'id="milestone-{milestone.key}"' not in body
    assert f'id="milestone-{other_milestone.key}"' not in body
    assert "1 milestone" in body


def test_lead_organisation_sees_every_milestone_naming_it(client, partner, edition, inherited):
    client.force_login(partner)
    body = client.get(MY_ORGANISATION).content.decode()
    for milestone in Milestone.objects.filter(outcome__edition=edition):
        assert f'id="milestone-{milestone.key}"' in body


def test_draft_only_milestones_are_not_listed(client, partner, route_map, lead):
    draft = editing.edition_ensure_draft(route_map=route_map)
    added = editing.milestone_add(
        route_map=route_map,
        outcome_key=draft.outcomes.first().key,
        user=None,
        values={"text": "Draft only work", "year": 2029},
        organisations=[editing.OrganisationChoice(lead, "lead")],
    )
    client.force_login(partner)
    assert str(added.key) not in client.get(MY_ORGANISATION).content.decode()
    assert client.get(update_url(added)).status_code == 404


@pytest.mark.dates
def test_milestones_are_under_the_year_they_are_due_overdue_first_in_each_year(
    client, partner, edition, clock
):
    # 2024 and 2025 have ended; 2026's milestones are due by 31 December, within 90 days.
    clock.move_to(datetime.date(2026, 11, 30))
    milestones = Milestone.objects.filter(outcome__edition=edition).order_by("year")
    achieved = milestones.filter(year=2024).first()
    achieved.status = Status.ACHIEVED
    achieved.save()
    client.force_login(partner)
    body = client.get(MY_ORGANISATION).content.decode()
    overdue = [m for m in milestones if m.is_overdue()]
    due_soon = [m for m in milestones if m.is_due_soon()]
    assert {m.year for m in overdue} == {2024, 2025}
    assert {m.year for m in due_soon} == {2026}
    positions = {m.key: body.index(f'id="milestone-{m.key}"') for m in milestones}
    headings = {year: body.index(f'id="year-{year}-heading"') for year in range(2024, 2031)}
    assert sorted(headings.values()) == list(headings.values())
    for milestone in milestones:
        assert headings[milestone.year] < positions[milestone.key]
        if milestone.year < 2030:
            assert positions[milestone.key] < headings[milestone.year + 1]
    # In 2024 the overdue milestone comes before the achieved one.
    (overdue_2024,) = [m for m in overdue if m.year == 2024]
    assert positions[overdue_2024.key] < positions[achieved.key]
    assert f"{len(overdue)} overdue" in body
    assert f"{len(due_soon)} due soon" in body


def test_partner_cannot_open_or_submit_on_another_organisations_milestone(
    client, partner_body, milestone
):
    # `milestone` names Care Inspectorate only; Kibble is on the outcome but not on it.
    client.force_login(partner_for(partner_body))
    assert client.get(update_url(milestone)).status_code == 404
    assert submit(client, milestone).status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_submit_service_refuses_other_organisations_and_non_partners(
    partner_body, milestone, route_map
):
    for user in [partner_for(partner_body), EditorFactory(all_route_maps=True)]:
        with pytest.raises(PermissionDenied):
            services.progress_update_submit(
                user=user,
                milestone_key=milestone.key,
                route_map=route_map,
                proposed_status="achieved",
                note="Done",
            )
    assert not ProgressUpdate.objects.exists()


def test_submit_service_checks_the_route_map_matches(partner, milestone):
    with pytest.raises(PermissionDenied):
        services.progress_update_submit(
            user=partner,
            milestone_key=milestone.key,
            route_map=RouteMapFactory(),
            proposed_status="achieved",
            note="Done",
        )


def test_inherited_responsibility_lets_a_partner_submit(client, partner_body, inherited):
    client.force_login(partner_for(partner_body))
    assert submit(client, inherited).status_code == 302
    assert ProgressUpdate.objects.get().organisation == partner_body


# --------------------------------------------------------------------------- submitting


def test_partner_submits_an_update_and_sees_it_waiting(client, partner, milestone, lead):
    client.force_login(partner)
    assert client.get(update_url(milestone)).status_code == 200
    response = submit(
        client, milestone, evidence_url="https://example.org/report", proposed_status="delayed"
    )
    assert response.status_code == 302
    assert response["Location"] == MY_ORGANISATION + "#updates"
    update = ProgressUpdate.objects.get()
    assert update.organisation == lead
    assert update.submitted_by == partner
    assert update.route_map == milestone.outcome.edition.route_map
    assert update.milestone_key == milestone.key
    assert update.milestone_text == milestone.text
    assert update.proposed_status == Status.DELAYED
    assert update.state == ProgressUpdate.State.PENDING
    body = client.get(MY_ORGANISATION).content.decode()
    assert "Waiting for review" in body
    assert "1 waiting for review" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "  "}, "Enter what has happened on this milestone."),
        ({"evidence_url": "javascript:alert(1)"}, "Enter a web address starting http://"),
        ({"evidence_url": "ftp://example.org/file"}, "Enter a web address starting http://"),
        ({"proposed_status": "finished"}, "Choose a status from the list."),
    ],
)
def test_invalid_update_shows_errors_keeps_text_and_saves_nothing(
    client, partner, milestone, data, message
):
    client.force_login(partner)
    typed = {"note": "Typed by the partner", **data}
    response = submit(client, milestone, **typed)
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert message in body
    if typed["note"].strip():
        assert "Typed by the partner" in body
    assert not ProgressUpdate.objects.exists()


def test_evidence_link_without_scheme_becomes_https(client, partner, milestone):
    client.force_login(partner)
    submit(client, milestone, evidence_url="example.org/report")
    assert ProgressUpdate.objects.get().evidence_url == "https://example.org/report"


# --------------------------------------------------------------------------- review


def test_queue_lists_pending_updates_oldest_first_with_a_safe_evidence_link(
    client, milestone, lead, inherited
):
    first = ProgressUpdateFactory(
        milestone=milestone, organisation=lead, evidence_url="https://example.org/a"
    )
    second = ProgressUpdateFactory(milestone=inherited, organisation=lead)
    done = ProgressUpdateFactory(
        milestone=inherited, organisation=lead, state=ProgressUpdate.State.ACCEPTED
    )
    client.force_login(EditorFactory(all_route_maps=True))
    body = client.get(QUEUE).content.decode()
    assert body.index(f'id="update-{first.pk}"') < body.index(f'id="update-{second.pk}"')
    assert f'id="update-{done.pk}"' not in body
    assert (
        '<a href="https://example.org/a" rel="noopener noreferrer nofollow">'
        "https://example.org/a</a>" in body
    )
    assert "2 updates waiting" in body


def test_accepting_changes_the_draft_only_and_records_the_editor(client, milestone, lead):
    route_map = milestone.outcome.edition.route_map
    update = ProgressUpdateFactory(
        milestone=milestone, organisation=lead, proposed_status="achieved", note="All done."
    )
    editor = EditorFactory(all_route_maps=True)
    client.force_login(editor)
    response = accept(client, update)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.ACCEPTED
    assert update.reviewed_by == editor
    day = timezone.localdate(update.created_at)
    note = f"All done. (Update from Care Inspectorate, {day.day} {day:%B %Y})"
    draft = Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)
    assert draft.status == Status.ACHIEVED
    assert draft.progress_note == note
    assert list(draft.organisation_links.values_list("organisation", flat=True)) == [lead.pk]
    records = ChangeRecord.objects.filter(object_key=milestone.key)
    assert {r.field for r in records} == {"status", "progress_note"}
    assert all(r.user == editor for r in records)
    milestone.refresh_from_db()
    assert milestone.status == Status.NO_UPDATE  # the live edition is untouched
    assert "All done." not in client.get(route_map.get_absolute_url()).content.decode()

    editing.route_map_publish(route_map=route_map, user=PublisherFactory(), note="Updates")
    body = client.get(route_map.get_absolute_url()).content.decode()
    assert note in body


def test_accepting_applies_on_top_of_a_newer_draft_edit(milestone, lead):
    route_map = milestone.outcome.edition.route_map
    editing.milestone_update(
        route_map=route_map,
        key=milestone.key,
        user=None,
        values={"text": "Reworded by an editor"},
        organisations=[editing.OrganisationChoice(lead, "lead")],
        expected_revision=milestone.revision,
    )
    update = ProgressUpdateFactory(milestone=milestone, organisation=lead)
    services.progress_update_accept(update=update, user=EditorFactory(all_route_maps=True))
    draft = Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)
    assert draft.text == "Reworded by an editor"
    assert draft.status == Status.IN_PROGRESS


def test_an_update_is_reviewed_once(client, milestone, lead):
    update = ProgressUpdateFactory(milestone=milestone, organisation=lead)
    client.force_login(EditorFactory(all_route_maps=True))
    accept(client, update)
    response = accept(client, update, follow=True)
    assert "already accepted" in response.content.decode()
    assert ChangeRecord.objects.filter(field="status").count() == 1


def test_an_update_on_a_milestone_removed_from_the_draft_reports_it(client, milestone, lead):
    route_map = milestone.outcome.edition.route_map
    update = ProgressUpdateFactory(milestone=milestone, organisation=lead)
    editing.item_remove(route_map=route_map, kind="milestone", key=milestone.key, user=None)
    client.force_login(EditorFactory(all_route_maps=True))
    response = accept(client, update, revision=0)
    assert response.status_code == 409
    assert "removed from the draft" in response.content.decode()
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING


def test_editors_assigned_elsewhere_neither_see_nor_accept_the_update(client, milestone, lead):
    update = ProgressUpdateFactory(milestone=milestone, organisation=lead)
    editor = EditorFactory(route_maps=[RouteMapFactory()])
    client.force_login(editor)
    assert f'id="update-{update.pk}"' not in client.get(QUEUE).content.decode()
    assert accept(client, update, revision=1).status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING


def test_declining_needs_a_reason_which_the_partner_then_sees(client, partner, milestone, lead):
    update = ProgressUpdateFactory(milestone=milestone, organisation=lead, submitted_by=partner)
    client.force_login(EditorFactory(all_route_maps=True))
    url = reverse("partners_review:decline", args=[update.pk])
    field = f"update-{update.pk}-reason"
    response = client.post(url, {field: ""})
    assert response.status_code == 400
    assert "Enter why the update is declined." in response.content.decode()
    response = client.post(url, {field: "Please link the published inspection report."})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.DECLINED
    assert not ChangeRecord.objects.exists()
    client.force_login(partner)
    body = client.get(MY_ORGANISATION).content.decode()
    assert "Declined" in body
    assert "Please link the published inspection report." in body


def test_decline_service_refuses_an_empty_reason(milestone, lead):
    from django.core.exceptions import ValidationError

    update = ProgressUpdateFactory(milestone=milestone, organisation=lead)
    with pytest.raises(ValidationError):
        services.progress_update_decline(
            update=update, user=EditorFactory(all_route_maps=True), reason=" "
        )


# --------------------------------------------------------------------------- query counts


@pytest.fixture(params=[1, 10], ids=["1x", "10x"])
def scale(request):
    return request.param


def test_partner_and_queue_pages_use_a_bounded_number_of_queries(
    client, scale, django_assert_max_num_queries
):
    lead = OrganisationFactory()
    partner = partner_for(lead)
    for _ in range(scale):
        edition = build_route_map(outcomes=2, organisations=[lead, OrganisationFactory()])
        for milestone in Milestone.objects.filter(outcome__edition=edition)[:3]:
            ProgressUpdateFactory(milestone=milestone, organisation=lead, submitted_by=partner)
    client.force_login(partner)
    # Sign-in and role checks, the filter form's lists, then a fixed number per kind of action.
    with django_assert_max_num_queries(16):
        assert client.get(MY_ORGANISATION).status_code == 200
    client.force_login(EditorFactory(all_route_maps=True))
    # The queue shows each milestone as it is now and its bodies: tests/test_partner_review.py
    # checks its bound with commitment updates and reviewed ones too.
    with django_assert_max_num_queries(16):
        assert client.get(QUEUE).status_code == 200
