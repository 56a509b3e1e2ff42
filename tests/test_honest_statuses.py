"""Honest statuses: "No update yet" until someone reports one, and every reported status says
when it was set and by whom, on every page, export and feed, whichever way it was written."""

import csv
import datetime
import importlib
import io
import json
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import clock
from core.pagecache import bump_published_version
from editing import services as editing
from editing.imports import import_preview, route_map_import_apply
from milestones.models import (
    CLOSED_STATUSES,
    STATUS_TAG_COLOURS,
    Milestone,
    Status,
    day_in_words,
)
from partners.models import ProgressUpdate
from publishing.models import ChangeRecord
from publishing.records import record_change
from routemap.models import Edition
from sources import services as sources
from sources.models import Commitment
from tests.days import on
from tests.factories import (
    CommitmentFactory,
    DraftEditionFactory,
    EditorFactory,
    MilestoneFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    UserFactory,
    build_route_map,
    edit_in_draft,
)

pytestmark = pytest.mark.django_db


def today_words() -> str:
    return day_in_words(clock.today())


def text_of(response) -> str:
    """The page's words as a reader hears them (tags and line breaks removed)."""
    body = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", "", body).split())


@pytest.fixture
def cosla():
    return OrganisationFactory(name="COSLA")


@pytest.fixture
def edition(cosla):
    return build_route_map(outcomes=1, organisations=[cosla])


def outcome_page(client, milestone):
    outcome = Milestone.objects.published().get(key=milestone.key).outcome
    return text_of(client.get(outcome.get_absolute_url()))


# ------------------------------------------------------------------------------ the status


def test_no_update_yet_is_first_grey_distinct_from_not_started_and_can_be_overdue(edition):
    assert Status.choices[0] == ("no_update", "No update yet")
    assert Milestone._meta.get_field("status").default == Status.NO_UPDATE
    assert Commitment._meta.get_field("status").default == Status.NO_UPDATE
    assert STATUS_TAG_COLOURS[Status.NO_UPDATE] == "grey"
    assert STATUS_TAG_COLOURS[Status.NOT_STARTED] != "grey"
    assert Status.NO_UPDATE not in CLOSED_STATUSES
    old = Milestone.objects.get(outcome__edition=edition, year=2025)
    assert old.status == Status.NO_UPDATE
    assert old.overdue


def test_seed_content_states_no_status_so_shows_no_update_yet(seeded, client):
    assert set(Milestone.objects.values_list("status", flat=True)) == {Status.NO_UPDATE}
    stated = dict(
        Commitment.objects.exclude(status=Status.NO_UPDATE).values_list("reference", "status")
    )
    assert stated == {"8.1": Status.IN_PROGRESS, "8.2": Status.IN_PROGRESS}
    assert Commitment.objects.filter(status=Status.NO_UPDATE).count() >= 32

    route_map = client.get("/route-maps/where-children-live/").content.decode()
    assert 'ds_tag--grey">No update yet</strong>' in route_map
    assert ">Not started</strong>" not in route_map
    kinship = Milestone.objects.published().filter(outcome__slug="kinship-care").first()
    outcome = client.get(kinship.outcome.get_absolute_url()).content.decode()
    assert 'ds_tag--grey">No update yet</strong>' in outcome
    assert ">Not started</strong>" not in outcome


def test_a_status_stated_without_a_date_says_the_date_is_not_recorded(seeded, client):
    commitment = Commitment.objects.get(reference="8.2")
    page = text_of(client.get(commitment.document.get_absolute_url()))
    assert "In progress, date not recorded" in page
    assert commitment.status_updated_on is None
    assert commitment.status_summary == "In progress, date not recorded"


def test_the_status_line_names_the_organisation_or_promise_scotland(milestone, cosla, client):
    milestone.status = Status.DELAYED
    milestone.status_updated_on = datetime.date(2026, 3, 12)
    milestone.status_updated_by = cosla
    milestone.save()
    assert "Delayed, updated 12 March 2026 by COSLA" in outcome_page(client, milestone)
    assert milestone.status_summary == "Delayed, updated 12 March 2026 by COSLA"
    milestone.status_updated_by = None
    milestone.save()
    bump_published_version()  # as a publish does
    assert "Delayed, updated 12 March 2026 by Promise Scotland" in outcome_page(client, milestone)


def test_no_update_yet_shows_no_date(milestone, client):
    page = outcome_page(client, milestone)
    assert "No update yet" in page
    assert "No update yet, updated" not in page
    assert "date not recorded" not in page


# ------------------------------------------------------------------------------ write paths


def test_editor_changing_a_status_is_credited_to_promise_scotland_today(
    client, route_map, milestone
):
    client.force_login(PublisherFactory())
    response = client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        {
            "text": milestone.text,
            "year": milestone.year,
            "status": Status.IN_PROGRESS,
            "progress_note": "",
            "revision": milestone.revision,
        },
    )
    assert response.status_code == 302
    assert "In progress" not in outcome_page(client, milestone)  # still a draft
    client.post(reverse("editing:publish", args=[route_map.slug]), {"note": "Progress."})
    live = Milestone.objects.published().get(key=milestone.key)
    assert live.status_updated_on == clock.today()
    assert live.status_updated_by is None
    page = outcome_page(client, milestone)
    assert f"In progress, updated {today_words()} by Promise Scotland" in page
    changes = text_of(client.get(f"/route-maps/{route_map.slug}/changes/"))
    change = f"Status changed from No update yet to In progress, updated {today_words()} by "
    assert change + "Promise Scotland" in changes


def test_an_unchanged_status_keeps_its_date_and_who_set_it(client, route_map, milestone, cosla):
    milestone.status = Status.IN_PROGRESS
    milestone.status_updated_on = datetime.date(2026, 3, 12)
    milestone.status_updated_by = cosla
    milestone.save()
    editor = PublisherFactory()
    edit_in_draft(milestone, {"text": "Reworded", "status": Status.IN_PROGRESS}, user=editor)
    editing.route_map_publish(route_map=route_map, user=editor, note="Reworded.")
    live = Milestone.objects.published().get(key=milestone.key)
    assert live.text == "Reworded"
    assert (live.status_updated_on, live.status_updated_by) == (datetime.date(2026, 3, 12), cosla)
    assert "In progress, updated 12 March 2026 by COSLA" in outcome_page(client, milestone)


def test_setting_no_update_yet_again_clears_the_date(route_map, milestone, cosla):
    milestone.status = Status.IN_PROGRESS
    milestone.status_updated_on = datetime.date(2026, 3, 12)
    milestone.status_updated_by = cosla
    milestone.save()
    draft = edit_in_draft(
        milestone, {"status": Status.NO_UPDATE}, user=EditorFactory(all_route_maps=True)
    )
    assert (draft.status_updated_on, draft.status_updated_by) == (None, None)


@pytest.mark.dates
def test_an_accepted_partner_update_is_credited_to_the_partner_on_the_day_they_sent_it(
    client, clock, route_map, milestone, cosla
):
    clock.move_to(datetime.date(2026, 11, 2))
    update = ProgressUpdateFactory(
        milestone=milestone, organisation=cosla, proposed_status="achieved", note="Done."
    )
    clock.move_to(datetime.date(2026, 11, 20))
    editor = EditorFactory(all_route_maps=True)
    client.force_login(editor)
    prefix = f"update-{update.pk}"  # the queue's accept form, as the page fills it in
    client.post(
        reverse("partners_review:accept", args=[update.pk]),
        {f"{prefix}-note": update.credited_note(), f"{prefix}-revision": milestone.revision},
    )
    assert ProgressUpdate.objects.get(pk=update.pk).state == ProgressUpdate.State.ACCEPTED
    editing.route_map_publish(route_map=route_map, user=PublisherFactory(), note="Updates")
    client.logout()
    assert "Achieved, updated 2 November 2026 by COSLA" in outcome_page(client, milestone)


def test_partners_report_a_status_so_no_update_yet_is_not_offered(client, milestone, cosla):
    from tests.factories import partner_for

    client.force_login(partner_for(cosla))
    page = client.get(reverse("partners:update", args=[milestone.key])).content.decode()
    assert 'value="in_progress"' in page
    assert 'value="no_update"' not in page
    assert "No update yet" in page  # the milestone's current status, shown above the form


def test_a_new_milestone_with_a_status_is_dated_and_one_without_is_not(route_map, edition):
    outcome = edition.outcomes.get()
    editor = EditorFactory(all_route_maps=True)
    added, plain = (
        editing.milestone_add(
            route_map=route_map,
            outcome_key=outcome.key,
            user=editor,
            values={"text": text, "year": 2028, "status": status},
            organisations=[],
        )
        for text, status in [("New", Status.DELAYED), ("Plain", Status.NO_UPDATE)]
    )
    assert added.status_updated_on == clock.today()
    assert plain.status_updated_on is None


def test_csv_import_dates_changed_statuses_and_keeps_the_others(route_map, edition, cosla):
    kept = Milestone.objects.get(outcome__edition=edition, year=2024)
    kept.status = Status.ACHIEVED
    kept.status_updated_on = datetime.date(2025, 1, 6)
    kept.status_updated_by = cosla
    kept.save()
    changed = Milestone.objects.get(outcome__edition=edition, year=2026)
    outcome = str(kept.outcome.key)
    rows = [
        ["milestone_id", "outcome_id", "year", "status", "text"],
        [str(kept.key), outcome, "2024", "achieved", "Reworded by import"],
        [str(changed.key), outcome, "2026", "in_progress", changed.text],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    user = EditorFactory(all_route_maps=True)
    preview = import_preview(route_map=route_map, text=buffer.getvalue())
    assert not preview.errors, preview.errors
    route_map_import_apply(route_map=route_map, user=user, preview=preview)
    draft = {m.key: m for m in Milestone.objects.filter(outcome__edition__state="draft")}
    assert draft[kept.key].text == "Reworded by import"
    assert (draft[kept.key].status_updated_on, draft[kept.key].status_updated_by) == (
        datetime.date(2025, 1, 6),
        cosla,
    )
    assert draft[changed.key].status == Status.IN_PROGRESS
    assert draft[changed.key].status_updated_on == clock.today()
    assert draft[changed.key].status_updated_by is None


def test_a_commitment_status_changed_in_a_draft_is_dated_when_published(client):
    commitment = CommitmentFactory(document__title="Response")
    document = commitment.document
    editor = PublisherFactory()
    values = {
        "title": commitment.title,
        "text": commitment.text,
        "timescale": commitment.timescale,
        "status": Status.IN_PROGRESS,
        "progress_note": "",
        "section": None,
        "phase": None,
        "foundation": None,
    }
    sources.commitment_draft_save(
        document=document,
        key=f"c{commitment.pk}",
        user=editor,
        values=values,
        organisations=[],
        expected_revision=0,
    )
    commitment.refresh_from_db()
    assert commitment.status == Status.NO_UPDATE  # the live commitment waits for the publish
    sources.document_publish(document=document, user=editor, note="Progress")
    commitment.refresh_from_db()
    assert commitment.status_summary == f"In progress, updated {today_words()} by Promise Scotland"
    page = text_of(client.get(document.get_absolute_url()))
    assert f"In progress, updated {today_words()} by Promise Scotland" in page

    # Saving the commitment again without touching its status keeps the date.
    with on(datetime.date(2026, 12, 3)):
        sources.commitment_draft_save(
            document=document,
            key=f"c{commitment.pk}",
            user=editor,
            values={**values, "progress_note": "Under way"},
            organisations=[],
            expected_revision=commitment.revision,  # as the form opened after the publish
        )
        sources.document_publish(document=document, user=editor, note="Note")
    commitment.refresh_from_db()
    assert commitment.progress_note == "Under way"
    assert commitment.status_updated_on == clock.today()


def test_admin_dates_a_changed_commitment_status_unless_entered_by_hand(cosla):
    commitment = CommitmentFactory()
    admin = admin_site._registry[Commitment]
    request = RequestFactory().post("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    form_class = admin.get_form(request, commitment)
    data = {
        "document": commitment.document_id,
        "order": commitment.order,
        "reference": commitment.reference,
        "title": commitment.title,
        "text": commitment.text,
        "timescale": commitment.timescale,
        "status": Status.ACHIEVED,
        "progress_note": "",
    }
    form = form_class(data, instance=commitment)
    assert form.is_valid(), form.errors
    admin.save_model(request, form.save(commit=False), form, change=True)
    commitment.refresh_from_db()
    assert commitment.status_summary == f"Achieved, updated {today_words()} by Promise Scotland"

    data.update(status=Status.DELAYED, status_updated_on="2026-06-01", status_updated_by=cosla.pk)
    form = form_class(data, instance=commitment)
    assert form.is_valid(), form.errors
    admin.save_model(request, form.save(commit=False), form, change=True)
    commitment.refresh_from_db()
    assert commitment.status_summary == "Delayed, updated 1 June 2026 by COSLA"


# ------------------------------------------------------------------ exports, API and filters


def reported(milestone, organisation, day=datetime.date(2026, 3, 12)):
    milestone.status = Status.IN_PROGRESS
    milestone.status_updated_on = day
    milestone.status_updated_by = organisation
    milestone.save()
    return milestone


def test_exports_and_api_say_when_and_by_whom(client, route_map, milestone, cosla):
    reported(milestone, cosla)
    CommitmentFactory(
        status=Status.DELAYED, status_updated_on=datetime.date(2026, 5, 4), reference="9.1"
    )
    body = b"".join(client.get("/timeline/export.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    by_id = {row["milestone_id"]: row for row in rows}
    assert by_id[str(milestone.key)]["status_updated_on"] == "2026-03-12"
    assert by_id[str(milestone.key)]["status_updated_by"] == "COSLA"
    unset = next(row for row in rows if row["status"] == "no_update")
    assert (unset["status_updated_on"], unset["status_updated_by"]) == ("", "")
    commitment_row = next(row for row in rows if row["milestone_id"].endswith("/9.1"))
    assert commitment_row["status_updated_on"] == "2026-05-04"
    assert commitment_row["status_updated_by"] == "Promise Scotland"

    records = json.loads(b"".join(client.get("/timeline/export.json").streaming_content))[
        "milestones"
    ]
    record = next(r for r in records if r["milestone_id"] == str(milestone.key))
    assert (record["status_updated_on"], record["status_updated_by"]) == ("2026-03-12", "COSLA")
    unset = next(r for r in records if r["status"] == "no_update")
    assert (unset["status_updated_on"], unset["status_updated_by"]) == (None, None)

    api = client.get(f"/api/route-maps/{route_map.slug}/").json()
    milestones = {m["id"]: m for m in api["outcomes"][0]["milestones"]}
    assert milestones[str(milestone.key)]["status_updated_on"] == "2026-03-12"
    assert milestones[str(milestone.key)]["status_updated_by"] == "COSLA"
    organisation = client.get(f"/api/organisations/{cosla.slug}/").json()
    assert {m["status_updated_by"] for m in organisation["milestones"]} == {"COSLA", None}


def test_timeline_filters_by_no_update_yet(client, milestone, cosla):
    reported(milestone, cosla)
    page = client.get("/timeline/").content.decode()
    assert '<option value="no_update">No update yet</option>' in page
    filtered = client.get("/timeline/?status=no_update")
    assert filtered.status_code == 200
    body = text_of(filtered)
    # The timeline counts actions (milestones and commitments), not "results".
    assert "6 actions match (6 milestones, 0 commitments)" in body
    assert "No update yet" in body


def test_charts_count_no_update_yet_in_words(client, route_map, milestone, cosla):
    reported(milestone, cosla)
    page = client.get(route_map.get_absolute_url()).content.decode()
    assert '<th scope="col">No update yet</th>' in page
    assert "status-chart__segment--grey" in page
    assert "6 no update yet" in page


def test_calendar_and_search_describe_the_status_with_its_date(client, milestone, cosla):
    milestone.text = "Kinship allowance reviewed"
    reported(milestone, cosla)
    calendar = client.get(f"/organisations/{cosla.slug}/calendar.ics").content.decode()
    unfolded = calendar.replace("\r\n ", "")
    assert "Status: In progress\\, updated 12 March 2026 by COSLA" in unfolded
    search = text_of(client.get("/search/?q=allowance"))
    assert "In progress, updated 12 March 2026 by COSLA" in search


# ------------------------------------------------------------------------------ migration


class _AppsBeforeTheMove:
    """The app registry as the migration saw it: the change record was editing's then (it
    moved to publishing with its table and fields, which are a superset of the old ones)."""

    def get_model(self, app_label: str, name: str):
        if (app_label, name) == ("editing", "ChangeRecord"):
            return ChangeRecord
        return django_apps.get_model(app_label, name)


def settle(app: str, module: str, function: str):
    migration = importlib.import_module(f"{app}.migrations.{module}")
    getattr(migration, function)(_AppsBeforeTheMove())


def settle_milestones():
    settle("milestones", "0005_statuses_nobody_set", "settle_milestone_statuses")


def _status_changed(route_map, edition, milestone, before: str, after: str) -> None:
    """A status change in the change record, as editors' saves wrote them."""
    record_change(
        route_map=route_map,
        edition=edition,
        user=None,
        action="changed",
        object_type="milestone",
        object_key=milestone.key,
        field="status",
        before=before,
        after=after,
    )


def test_migration_moves_not_started_that_nobody_set_to_no_update_yet(edition, cosla):
    milestones = list(Milestone.objects.filter(outcome__edition=edition).order_by("year"))
    default, edited, discarded, confirmed, dated, undated = milestones[:6]
    Milestone.objects.filter(pk__in=[m.pk for m in milestones]).update(status="not_started")
    Milestone.objects.filter(pk__in=[dated.pk, undated.pk]).update(status="in_progress")
    route_map = edition.route_map
    with on(datetime.date(2026, 2, 3)):
        _status_changed(route_map, edition, edited, "in_progress", "not_started")
        _status_changed(route_map, edition, dated, "not_started", "in_progress")
        # A change made in a draft that was then discarded: its edition is gone.
        _status_changed(route_map, None, discarded, "in_progress", "not_started")
    with on(datetime.date(2026, 1, 5)):
        update = ProgressUpdateFactory(
            milestone=confirmed, organisation=cosla, proposed_status="not_started"
        )
    ProgressUpdate.objects.filter(pk=update.pk).update(
        state="accepted", reviewed_at=timezone.make_aware(datetime.datetime(2026, 1, 6))
    )
    Edition.objects.filter(pk=edition.pk).update(
        published_at=timezone.make_aware(datetime.datetime(2026, 11, 1))
    )

    settle_milestones()

    statuses = {m.pk: m for m in Milestone.objects.filter(outcome__edition=edition)}
    assert statuses[default.pk].status == Status.NO_UPDATE
    assert statuses[discarded.pk].status == Status.NO_UPDATE
    assert statuses[edited.pk].status == Status.NOT_STARTED
    assert (
        statuses[edited.pk].status_summary
        == "Not started, updated 3 February 2026 by Promise Scotland"
    )
    assert statuses[confirmed.pk].status_summary == "Not started, updated 5 January 2026 by COSLA"
    assert statuses[dated.pk].status_summary == (
        "In progress, updated 3 February 2026 by Promise Scotland"
    )
    assert statuses[undated.pk].status_summary == "In progress, date not recorded"


def test_migration_follows_each_version_of_a_route_map(edition):
    """A status set in version 2 was still the default in version 1, so the feed of changes
    stays true: version 1 read "No update yet"."""
    route_map = edition.route_map
    first = Milestone.objects.get(outcome__edition=edition, year=2027)
    draft = DraftEditionFactory(route_map=route_map)
    second = MilestoneFactory(
        outcome=OutcomeFactory(edition=draft, key=first.outcome.key), key=first.key, year=2027
    )
    Milestone.objects.filter(pk__in=[first.pk, second.pk]).update(status="not_started")
    _status_changed(route_map, draft, first, "delayed", "not_started")

    settle_milestones()

    assert Milestone.objects.get(pk=first.pk).status == Status.NO_UPDATE
    assert Milestone.objects.get(pk=second.pk).status == Status.NOT_STARTED


# ------------------------------------------------------------------------------ queries


def test_who_set_each_status_costs_no_query_per_item(client, edition, cosla):
    """Pages and files that list statuses read who set them with the items: as many queries
    when every item names a different reporting body as when none does."""
    document = CommitmentFactory(reference="1", text="Kinship allowance").document
    for n in range(2, 6):
        CommitmentFactory(document=document, reference=str(n), text="Kinship allowance")
    milestones = list(Milestone.objects.filter(outcome__edition=edition))
    Milestone.objects.filter(pk__in=[m.pk for m in milestones]).update(text="Kinship allowance")
    urls = [
        edition.route_map.get_absolute_url(),
        edition.outcomes.get().get_absolute_url(),
        "/timeline/",
        "/timeline/export.csv",
        "/timeline/export.json",
        cosla.get_absolute_url(),
        f"/organisations/{cosla.slug}/calendar.ics",
        f"/api/route-maps/{edition.route_map.slug}/",
        f"/api/organisations/{cosla.slug}/",
        document.get_absolute_url(),
        f"/api/sources/{document.slug}/",
        "/search/?q=allowance",
    ]

    def queries() -> dict[str, int]:
        counts = {}
        for url in urls:
            bump_published_version()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            assert response.status_code == 200, url
            counts[url] = len(captured)
        return counts

    before = queries()
    for item in [*milestones, *Commitment.objects.filter(document=document)]:
        item.status = Status.IN_PROGRESS
        item.status_updated_on = datetime.date(2026, 3, 12)
        item.status_updated_by = OrganisationFactory()
        item.save()
    assert queries() == before
