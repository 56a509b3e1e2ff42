"""Editors' CSV export and import: round trip, preview, every error with its line, apply."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from editing import imports
from editing import services as editing
from milestones.exports import COLUMN_NAMES
from milestones.models import Milestone, MilestoneOrganisation, Status
from organisations.models import Organisation
from publishing.models import ChangeRecord
from routemap.models import Edition, RouteMap
from tests.factories import (
    EditorFactory,
    MilestoneFactory,
    OrganisationFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
    edit_in_draft,
    partner_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    return [OrganisationFactory(slug="care-inspectorate"), OrganisationFactory(slug="kibble")]


@pytest.fixture
def edition(organisations):
    edition = build_route_map(outcomes=2, organisations=organisations)
    outcome = edition.outcomes.order_by("order").first()
    # Text a spreadsheet would treat as a formula, Markdown lists over several lines, and a
    # milestone inheriting its outcome's bodies.
    MilestoneFactory(outcome=outcome, year=2029, text="- first step\n- second step")
    MilestoneFactory(outcome=outcome, year=2029, text="=SUM(A1:A2) is not a formula")
    return edition


@pytest.fixture
def editor():
    return EditorFactory(all_route_maps=True)


def export(client, route_map) -> str:
    response = client.get(reverse("editing:export_csv", args=[route_map.slug]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def rows_of(text: str, *, every_kind: bool = False) -> list[dict]:
    """The file's milestone rows (or, `every_kind`, its outcome and progress rows too)."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    return [row for row in rows if every_kind or row.get("kind", "milestone") == "milestone"]


def to_csv(rows: list[dict], columns=None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def upload(client, route_map, text, *, name="milestones.csv", remove_missing=False, raw=None):
    data = {"file": SimpleUploadedFile(name, raw if raw is not None else text.encode("utf-8"))}
    if remove_missing:
        data["remove_missing"] = "on"
    return client.post(reverse("editing:import", args=[route_map.slug]), data)


def preview_of(route_map, text, remove_missing=False):
    return imports.import_preview(route_map=route_map, text=text, remove_missing=remove_missing)


def single_line_rows(client, route_map):
    """The export, less the fixture's multi-line milestone, so line numbers equal row numbers."""
    return [r for r in rows_of(export(client, route_map)) if "\n" not in r["text"]]


def first_marked_achieved(client, editor, route_map):
    """The editor's export with one change: its first milestone marked achieved."""
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status"] = "achieved"
    return rows


# --------------------------------------------------------------------------- permissions


def import_urls(route_map):
    slug = route_map.slug
    return [
        ("get", reverse("editing:export_csv", args=[slug])),
        ("get", reverse("editing:import", args=[slug])),
        ("post", reverse("editing:import", args=[slug])),
        ("get", reverse("editing:import_preview", args=[slug])),
        ("post", reverse("editing:import_apply", args=[slug])),
    ]


@pytest.mark.parametrize("who", ["anonymous", "no role", "partner"])
def test_people_who_are_not_editors_cannot_export_or_import(client, route_map, who):
    if who == "no role":
        client.force_login(UserFactory())
    elif who == "partner":
        client.force_login(partner_for(OrganisationFactory()))
    for method, url in import_urls(route_map):
        response = getattr(client, method)(url)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/?next="), url
        else:
            assert response.status_code == 403, url


@pytest.mark.parametrize(
    "make_user",
    [
        lambda route_map: EditorFactory(route_maps=[route_map]),
        lambda route_map: EditorFactory(all_route_maps=True),
        lambda route_map: PublisherFactory(),
    ],
    ids=["assigned editor", "editor of every route map", "publisher"],
)
def test_editors_and_publishers_export_and_import(client, route_map, make_user):
    client.force_login(make_user(route_map))
    assert client.get(reverse("editing:export_csv", args=[route_map.slug])).status_code == 200
    assert client.get(reverse("editing:import", args=[route_map.slug])).status_code == 200


def test_an_editor_assigned_elsewhere_cannot_export_or_import(client, route_map):
    editor = EditorFactory(route_maps=[RouteMapFactory()])
    client.force_login(editor)
    for method, url in import_urls(route_map):
        assert getattr(client, method)(url).status_code == 403, url


# --------------------------------------------------------------------------- export


def test_export_has_the_public_columns_plus_outcome_id_and_what_it_was_made_from(
    client, editor, route_map, edition, clock
):
    # Held still: how long the suite has run must not change the time the file states.
    clock.move_to(
        datetime.datetime(2026, 11, 30, 12, 3, 9, 250000, tzinfo=datetime.UTC), tick=False
    )
    client.force_login(editor)
    text = export(client, route_map)
    assert text.startswith("\ufeff")
    rows = rows_of(text)
    assert list(rows[0]) == [
        *COLUMN_NAMES,
        "outcome_id",
        "revision",
        "exported_at",
        "outcome_statement",
        "outcome_organisations",
        "outcome_linked_route_maps",
        "own_organisations",
        "progress_date",
    ]
    [exported_at] = {r["exported_at"] for r in rows}
    assert exported_at == "2026-11-30T12:03:09+00:00"  # to the second, in the site's time zone
    milestones = Milestone.objects.filter(outcome__edition=edition)
    assert {r["milestone_id"] for r in rows} == {str(m.key) for m in milestones}
    by_id = {r["milestone_id"]: r for r in rows}
    for milestone in milestones:
        row = by_id[str(milestone.key)]
        assert row["outcome_id"] == str(milestone.outcome.key)
        assert row["revision"] == str(milestone.revision)
        assert row["url"].startswith("http://testserver/route-maps/")
    formula = milestones.get(text__startswith="=SUM")
    assert by_id[str(formula.key)]["text"] == "'=SUM(A1:A2) is not a formula"


def test_export_is_of_the_draft_when_there_is_one(client, editor, route_map, edition):
    milestone = Milestone.objects.filter(outcome__edition=edition).first()
    edit_in_draft(milestone, {"text": "Only in the draft"})
    client.force_login(editor)
    response = client.get(reverse("editing:export_csv", args=[route_map.slug]))
    assert response["Content-Disposition"] == f'attachment; filename="{route_map.slug}-draft.csv"'
    assert "Only in the draft" in b"".join(response.streaming_content).decode()


# --------------------------------------------------------------------------- round trip


def test_exporting_then_importing_unchanged_gives_no_changes(client, editor, route_map):
    client.force_login(editor)
    text = export(client, route_map)
    preview = preview_of(route_map, text, remove_missing=True)
    assert not preview.errors
    assert not preview.has_changes
    assert preview.rows == Milestone.objects.filter(outcome__edition__route_map=route_map).count()
    response = upload(client, route_map, text, remove_missing=True)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "No changes: the file matches the route map." in body
    assert "Apply these changes" not in body


def test_the_seeded_route_map_round_trips_without_changes(client, editor, seeded):
    route_map = RouteMap.objects.get(slug="where-children-live")
    client.force_login(editor)
    text = export(client, route_map)
    preview = preview_of(route_map, text, remove_missing=True)
    assert preview.rows > 20
    assert not preview.errors
    assert not preview.has_changes


def test_a_file_saved_by_a_spreadsheet_round_trips_too(client, editor, route_map):
    """No byte order mark, Windows line endings, labels instead of status codes."""
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    for row in rows:
        row["status"] = Status(row["status"]).label
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    preview = preview_of(route_map, imports.decode_upload(out.getvalue().encode("utf-8")))
    assert not preview.errors
    assert not preview.has_changes


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "organisations",
            "care-inspectorate; nobody-at-all",
            "Unknown organisation “nobody-at-all”",
        ),
        ("year", "2031", "Year 2031 is out of range: enter a year from 2024 to 2030."),
        ("year", "soon", "Year “soon” is not a year"),
        ("status", "finished", "Unknown status “finished”"),
        ("milestone_id", "00000000-0000-4000-8000-000000000000", "Unknown milestone_id"),
        ("milestone_id", "not-a-key", "Unknown milestone_id “not-a-key”"),
        ("outcome_id", "00000000-0000-4000-8000-000000000000", "Unknown outcome"),
        ("text", "", "Enter the milestone text"),
        ("subject_to_decisions_after_may_2026", "perhaps", "enter true or false"),
        ("route_map", "another-route-map", "This row is from the route map “another-route-map”"),
    ],
)
def test_each_error_is_reported_with_its_line_and_nothing_is_applied(
    client, editor, route_map, column, value, message
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[2][column] = value  # line 4: the header is line 1
    rows[0]["status"] = "achieved"  # a valid change elsewhere is not applied either
    preview = preview_of(route_map, to_csv(rows))
    assert [(e.line, message in e.message) for e in preview.errors] == [(4, True)], preview.errors
    assert not preview.can_apply
    with pytest.raises(imports.ImportNotAllowed):
        imports.route_map_import_apply(route_map=route_map, user=editor, preview=preview)
    assert not Edition.objects.drafts().exists()


def test_an_unknown_outcome_slug_is_an_error_when_there_is_no_outcome_id(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[1]["outcome"] = "no-such-outcome"
    preview = preview_of(route_map, to_csv(rows, [c for c in rows[0] if c != "outcome_id"]))
    m = Milestone.objects.get(key=rows[1]["milestone_id"])
    assert [str(e) for e in preview.errors] == [
        f"Line 3 ({imports.milestone_words(m.text, m.year, m.outcome.title)})"
        ": Unknown outcome “no-such-outcome”: it is not an outcome of this route map."
    ]


def test_a_duplicated_milestone_id_names_both_lines(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows.append(dict(rows[1]))
    preview = preview_of(route_map, to_csv(rows))
    line = len(rows) + 1
    assert [(e.line, e.message) for e in preview.errors] == [
        (line, f"Duplicated milestone_id {rows[1]['milestone_id']}: it is also on line 3.")
    ]


@pytest.mark.parametrize("missing", ["milestone_id", "year", "status", "text"])
def test_a_missing_required_column_is_reported_on_line_1(client, editor, route_map, missing):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    preview = preview_of(route_map, to_csv(rows, [c for c in rows[0] if c != missing]))
    assert [str(e) for e in preview.errors] == [f"Line 1: Missing required column “{missing}”."]


def test_an_outcome_column_is_required_one_way_or_the_other(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    columns = [c for c in rows[0] if c not in ("outcome", "outcome_id")]
    preview = preview_of(route_map, to_csv(rows, columns))
    assert [e.message for e in preview.errors] == [
        "Missing required column “outcome_id (or outcome)”."
    ]


def test_errors_in_multi_line_rows_give_the_file_line_and_the_spreadsheet_row(
    client, editor, route_map
):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    index = next(i for i, r in enumerate(rows) if "\n" in r["text"])
    rows[index + 1]["status"] = "nope"
    error = preview_of(route_map, to_csv(rows)).errors[0]
    assert error.row == index + 3
    assert error.line == index + 4  # the row above spans two lines
    assert error.where == f"Line {index + 4} (spreadsheet row {index + 3})"


def test_the_preview_page_lists_errors_with_line_numbers(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["year"] = "1999"
    response = upload(client, route_map, to_csv(rows))
    body = client.get(response["Location"]).content.decode()
    assert "There is a problem with the file" in body
    milestone = Milestone.objects.get(key=rows[0]["milestone_id"])
    quoted = imports.shorten(milestone.text)
    assert f"<strong>Line 2</strong> (“{quoted}”, {milestone.year}, " in body
    assert ": Year 1999 is out of range" in body
    assert "Apply these changes" not in body


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("bom-only.csv", b"\xef\xbb\xbf\r\n", "The file is empty"),
        ("book.csv", b"PK\x03\x04\x14\x00\x06\x00binary", "The file is a spreadsheet"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it contains binary data"),
        ("latin.csv", "milestone_id,text\n,Café".encode("latin-1"), "not UTF-8"),
        ("notes.pdf", b"%PDF-1.4", "The file must be a CSV file"),
    ],
)
def test_unreadable_files_get_a_friendly_error(client, editor, route_map, name, raw, message):
    client.force_login(editor)
    response = upload(client, route_map, "", name=name, raw=raw)
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert message in body


def test_files_over_2_mb_are_refused(client, editor, route_map):
    client.force_login(editor)
    response = upload(client, route_map, "", raw=b"a,b\n" + b"x" * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


def test_a_header_without_rows_is_an_error_not_an_empty_import(client, editor, route_map):
    client.force_login(editor)
    header = export(client, route_map).splitlines()[0]
    preview = preview_of(route_map, header + "\n", remove_missing=True)
    assert [str(e) for e in preview.errors] == [
        "Line 2: The file has a header row but no milestones."
    ]


# --------------------------------------------------------------------------- preview and apply


def test_preview_then_apply_changes_the_draft_through_the_normal_services(
    client, editor, route_map, edition
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    changed = Milestone.objects.get(key=rows[0]["milestone_id"])
    rows[0]["status"] = "in_progress"
    rows[0]["progress_note"] = "Started in March."
    rows[0]["organisations"] = "kibble"
    outcome = edition.outcomes.order_by("order").last()
    rows.append(
        {
            **dict.fromkeys(rows[0], ""),
            "outcome_id": str(outcome.key),
            "year": "2030",
            "status": "no_update",
            "text": "A brand new milestone",
            "organisations": "care-inspectorate",
        }
    )
    response = upload(client, route_map, to_csv(rows))
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "1 to add, 1 to change, 0 to remove." in body
    assert "<del>No update yet</del>" in body
    assert "<ins>In progress</ins>" in body
    assert "<ins>Started in March.</ins>" in body
    assert "A brand new milestone" in body
    assert not Edition.objects.drafts().exists()  # the preview wrote nothing

    token = imports.import_preview(route_map=route_map, text=to_csv(rows)).fingerprint()
    response = client.post(reverse("editing:import_apply", args=[route_map.slug]), {"token": token})
    assert response.status_code == 302
    draft = Edition.objects.drafts().get(route_map=route_map)
    saved = Milestone.objects.get(outcome__edition=draft, key=changed.key)
    assert saved.status == Status.IN_PROGRESS
    assert saved.progress_note == "Started in March."
    assert [link.organisation.slug for link in saved.organisation_links.all()] == ["kibble"]
    added = Milestone.objects.get(outcome__edition=draft, text="A brand new milestone")
    assert added.outcome.key == outcome.key
    assert added.year == 2030
    records = ChangeRecord.objects.filter(route_map=route_map)
    assert {(r.action, r.field) for r in records} == {
        ("changed", "status"),
        ("changed", "progress_note"),
        ("changed", "organisations"),
        ("added", "text"),
    }
    assert all(r.user == editor for r in records)
    changed.refresh_from_db()
    assert changed.status == Status.NO_UPDATE  # public until published
    # The import is done: the same file now previews as no changes against the draft.
    assert not imports.import_preview(route_map=route_map, text=to_csv(rows[:-1])).has_changes


def test_missing_milestones_are_removed_only_when_asked(client, editor, route_map, edition):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    gone = rows.pop(0)
    kept = preview_of(route_map, to_csv(rows))
    assert [str(m.key) for m in kept.missing] == [gone["milestone_id"]]
    assert not kept.has_changes
    removing = preview_of(route_map, to_csv(rows), remove_missing=True)
    assert removing.summary() == "0 to add, 0 to change, 1 to remove."

    response = upload(client, route_map, to_csv(rows))
    body = client.get(response["Location"]).content.decode()
    assert "Milestones not in the file (1)" in body
    assert "These will be kept." in body

    imports.route_map_import_apply(route_map=route_map, user=editor, preview=removing)
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert not Milestone.objects.filter(outcome__edition=draft, key=gone["milestone_id"]).exists()
    assert Milestone.objects.filter(outcome__edition=edition, key=gone["milestone_id"]).exists()


def test_apply_refuses_when_the_route_map_changed_after_the_preview(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status"] = "delayed"
    upload(client, route_map, to_csv(rows))
    token = imports.import_preview(route_map=route_map, text=to_csv(rows)).fingerprint()
    other = Milestone.objects.get(key=rows[1]["milestone_id"])
    edit_in_draft(other, {"text": "Changed by someone else meanwhile"})
    response = client.post(reverse("editing:import_apply", args=[route_map.slug]), {"token": token})
    assert response.status_code == 409
    assert "nothing was imported" in response.content.decode()
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert Milestone.objects.get(outcome__edition=draft, key=rows[0]["milestone_id"]).status == (
        Status.NO_UPDATE
    )


def test_apply_without_an_upload_asks_for_the_file_again(client, editor, route_map):
    client.force_login(editor)
    response = client.post(
        reverse("editing:import_apply", args=[route_map.slug]), {"token": "x" * 64}, follow=True
    )
    assert "upload it again" in response.content.decode()
    assert not Edition.objects.drafts().exists()


# --------------------------------------------------------------------------- command


def write(tmp_path, text, name="milestones.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_command_dry_run_prints_the_changes_and_changes_nothing(
    client, editor, route_map, tmp_path, capsys
):
    rows = first_marked_achieved(client, editor, route_map)
    path = write(tmp_path, to_csv(rows))
    call_command("import_route_map", path, "--route-map", route_map.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "Changed (1):" in out
    assert "Status: No update yet -> Achieved" in out
    assert "Dry run: nothing was changed." in out
    assert not Edition.objects.drafts().exists()
    assert not ChangeRecord.objects.exists()


def test_command_applies_to_the_draft_as_the_named_user(
    client, editor, route_map, tmp_path, capsys
):
    rows = first_marked_achieved(client, editor, route_map)
    path = write(tmp_path, to_csv(rows))
    call_command("import_route_map", path, "--route-map", route_map.slug, "--user", editor.username)
    assert "1 changed" in capsys.readouterr().out
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert Milestone.objects.get(outcome__edition=draft, key=rows[0]["milestone_id"]).status == (
        Status.ACHIEVED
    )
    assert ChangeRecord.objects.get().user == editor


def test_command_with_errors_exits_non_zero_and_names_the_lines(
    client, editor, route_map, tmp_path, capsys
):
    rows = first_marked_achieved(client, editor, route_map)
    rows[1]["year"] = "2040"
    path = write(tmp_path, to_csv(rows))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_route_map", path, "--route-map", route_map.slug)
    err = capsys.readouterr().err
    assert re.search(r"Line 3 \(“.+”, \d{4}, .+\): Year 2040 is out of range", err)
    assert not Edition.objects.drafts().exists()


def test_command_exits_non_zero_from_the_shell_on_errors(client, editor, route_map, tmp_path):
    """CommandError becomes exit status 1 when run as manage.py."""
    client.force_login(editor)
    path = write(tmp_path, "text\nhello\n")
    with pytest.raises(SystemExit) as exit_info:
        from django.core.management import ManagementUtility

        ManagementUtility(
            ["manage.py", "import_route_map", path, "--route-map", route_map.slug]
        ).execute()
    assert exit_info.value.code == 1


def test_command_remove_missing(client, editor, route_map, tmp_path, capsys):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    gone = rows.pop()
    path = write(tmp_path, to_csv(rows))
    call_command("import_route_map", path, "--route-map", route_map.slug)
    assert "use --remove-missing to remove them" in capsys.readouterr().out
    assert not Edition.objects.drafts().exists()
    call_command("import_route_map", path, "--route-map", route_map.slug, "--remove-missing")
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert not Milestone.objects.filter(outcome__edition=draft, key=gone["milestone_id"]).exists()


def test_command_refuses_unknown_route_maps_and_users(tmp_path, route_map):
    path = write(tmp_path, "milestone_id\n")
    with pytest.raises(CommandError, match="no route map"):
        call_command("import_route_map", path, "--route-map", "nowhere")
    with pytest.raises(CommandError, match="no user"):
        call_command("import_route_map", path, "--route-map", route_map.slug, "--user", "nobody")


# --------------------------------------------------------------------------- large files


def big_route_map(*, milestones: int, organisations) -> Edition:
    """A published route map of `milestones` milestones in four outcomes, written in bulk;
    every other milestone names a body of its own, the rest inherit their outcome's."""
    edition = build_route_map(outcomes=4, milestones_per_year=0, organisations=organisations)
    outcomes = list(edition.outcomes.order_by("order"))
    made = Milestone.objects.bulk_create(
        Milestone(
            outcome=outcomes[n % 4],
            year=2024 + n // 4 % 7,
            order=n // 28 + 1,
            text=f"Milestone {n}",
            status=Status.NOT_STARTED,
        )
        for n in range(milestones)
    )
    MilestoneOrganisation.objects.bulk_create(
        MilestoneOrganisation(milestone=m, organisation=organisations[n % 4 // 2], role="lead")
        for n, m in enumerate(made)
        if n % 2
    )
    return edition


def edited_export(edition, *, added: int, dropped: int = 0) -> str:
    """The route map's export with every kind of change an import makes: statuses, texts,
    years (milestones moving to the end of another year), bodies added, listed in another order
    (which is no change: they keep their order) or cleared, progress notes; `added` new rows,
    and the first `dropped` rows left out."""
    rows = rows_of("".join(imports.export_lines(edition)))[dropped:]
    for n, row in enumerate(rows):
        kind = n % 6
        if kind == 0:
            row["status"] = "in_progress"
        elif kind == 1:
            row["text"] += " (revised)"
        elif kind == 2:
            row["year"] = str(2024 + (int(row["year"]) - 2023) % 7)
        elif kind == 3:
            row["organisations"] = "kibble; care-inspectorate"
        elif kind == 4:
            row["organisations"] = ""
            row["progress_note"] = "Checked in March."
    outcomes = list(edition.outcomes.order_by("order"))
    rows += [
        {
            **dict.fromkeys(rows[0], ""),
            "outcome_id": str(outcomes[n % len(outcomes)].key),
            "year": str(2024 + n % 7),
            "status": "not_started",
            "text": f"New milestone {n}",
            "organisations": "kibble" if n % 2 else "",
        }
        for n in range(added)
    ]
    return to_csv(rows)


def apply_one_by_one(*, route_map, user, preview):
    """How an import used to be applied, one ordinary draft edit per row: the reference that
    the bulk apply must match."""
    editing.edition_ensure_draft(route_map=route_map)
    by_slug = {o.slug: o for o in Organisation.objects.all()}
    for row in preview.changed:
        milestone = Milestone.objects.get(
            outcome__edition__route_map=route_map,
            outcome__edition__state=Edition.State.DRAFT,
            key=row.milestone.key,
        )
        own = list(milestone.organisation_links.all())
        if row.organisations is None:
            choices = [editing.OrganisationChoice(link.organisation, link.role) for link in own]
        else:
            roles = {link.organisation.slug: link.role for link in milestone.responsible_links}
            choices = [
                editing.OrganisationChoice(by_slug[slug], roles.get(slug, ""))
                for slug in row.organisations
            ]
        editing.milestone_update(
            route_map=route_map,
            key=milestone.key,
            user=user,
            values=row.values,
            organisations=choices,
            expected_revision=milestone.revision,
        )
    for row in preview.added:
        editing.milestone_add(
            route_map=route_map,
            outcome_key=row.outcome.key,
            user=user,
            values=row.values,
            organisations=[editing.OrganisationChoice(by_slug[s], "") for s in row.organisations],
        )
    for milestone in preview.removed:
        editing.item_remove(route_map=route_map, kind="milestone", key=milestone.key, user=user)


class Undone(Exception):
    pass


def result_of(apply, *, route_map, user, preview) -> tuple[list, list]:
    """The draft's milestones and the change records that `apply` leaves, then undone, so
    that two ways of applying the same preview can be compared."""
    known = {str(k) for k in Milestone.objects.values_list("key", flat=True)}

    def key(value) -> str:
        return str(value) if str(value) in known else "new"

    try:
        with transaction.atomic():
            apply(route_map=route_map, user=user, preview=preview)
            draft = Edition.objects.drafts().get(route_map=route_map)
            milestones = sorted(
                (
                    str(m.outcome.key),
                    m.year,
                    m.order,
                    key(m.key),
                    m.text,
                    m.status,
                    m.progress_note,
                    m.subject_to_decisions_after_may_2026,
                    m.revision,
                    [(x.organisation.slug, x.role, x.order) for x in m.organisation_links.all()],
                )
                for m in Milestone.objects.filter(outcome__edition=draft)
                .select_related("outcome")
                .prefetch_related("organisation_links__organisation")
            )
            records = [
                (
                    r.action,
                    r.object_type,
                    key(r.object_key),
                    r.object_label,
                    r.field,
                    r.before,
                    r.after,
                    r.user_id,
                    r.edition_id == draft.pk,
                )
                for r in ChangeRecord.objects.order_by("pk")
            ]
            raise Undone(milestones, records)
    except Undone as done:
        return done.args


def test_a_file_applies_exactly_as_one_edit_per_row_would_and_then_exports_unchanged(
    editor, organisations
):
    edition = big_route_map(milestones=90, organisations=organisations)
    route_map = edition.route_map
    preview = preview_of(route_map, edited_export(edition, added=40, dropped=6), True)
    # Rows that only list the same bodies in another order change nothing; every row whose
    # order is not kept (kibble added before a body already there, too) says so.
    assert preview.summary() == "40 to add, 64 to change, 6 to remove."
    reordered = [edit for edit in preview.ignored if edit.reordered]
    assert len(reordered) == 10
    assert {(e.value, e.expected) for e in reordered} == {
        ("kibble; care-inspectorate", "care-inspectorate; kibble")
    }

    one_by_one = result_of(apply_one_by_one, route_map=route_map, user=editor, preview=preview)
    in_bulk = result_of(
        imports.route_map_import_apply, route_map=route_map, user=editor, preview=preview
    )
    milestones, records = in_bulk
    assert len(milestones) == 90 - 6 + 40
    assert {r[0] for r in records} == {"changed", "added", "removed"}
    assert {r[4] for r in records} >= {"status", "text", "year", "organisations", "progress_note"}
    assert in_bulk == one_by_one

    imports.route_map_import_apply(route_map=route_map, user=editor, preview=preview)
    draft = Edition.objects.drafts().get(route_map=route_map)
    again = "".join(imports.export_lines(draft))
    assert preview_of(route_map, again, remove_missing=True).summary() == (
        "No changes: the file matches the route map."
    )


def test_a_large_file_applies_in_a_few_bulk_queries(
    editor, organisations, django_assert_max_num_queries
):
    """3,000 rows: the queries grow by one per batch of rows, not by several per row as when
    each row was an ordinary edit (some 30,000 queries, minutes on PostgreSQL)."""
    edition = big_route_map(milestones=1600, organisations=organisations)
    route_map = edition.route_map
    preview = preview_of(route_map, edited_export(edition, added=1500, dropped=100), True)
    assert preview.rows == 3000

    with django_assert_max_num_queries(150):
        counts = imports.route_map_import_apply(route_map=route_map, user=editor, preview=preview)

    assert counts == {"added": 1500, "changed": 1134, "removed": 100, "outcomes": 0, "progress": 0}
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert Milestone.objects.filter(outcome__edition=draft).count() == 3000
    assert ChangeRecord.objects.filter(action="added").count() == 1500
    assert ChangeRecord.objects.filter(action="removed").count() == 100
    assert ChangeRecord.objects.filter(field="status").count() == 250


def test_a_milestone_moved_to_another_year_goes_after_that_years_last(
    client, editor, route_map, edition
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    outcome = edition.outcomes.order_by("order").first()
    last = outcome.milestones.filter(year=2029).order_by("order").last()
    moving = next(r for r in rows if r["outcome_id"] == str(outcome.key) and r["year"] == "2024")
    moving["year"] = "2029"
    imports.route_map_import_apply(
        route_map=route_map, user=editor, preview=preview_of(route_map, to_csv(rows))
    )
    draft = Edition.objects.drafts().get(route_map=route_map)
    moved = Milestone.objects.get(outcome__edition=draft, key=moving["milestone_id"])
    assert (moved.year, moved.order) == (2029, last.order + 1)
    assert moved.revision == 2
    record = ChangeRecord.objects.get()
    assert (record.field, record.before, record.after, record.user) == (
        "year",
        "2024",
        "2029",
        editor,
    )


def test_control_characters_are_stripped_from_every_cell(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["text"] = "Publish\x1b[31m the\x07 plan\tnow"
    rows[0]["progress_note"] = "Line one\x0b\r\nLine two\x7f\x85"
    rows[0]["status"] = "\x1fachieved"
    rows[0]["organisations"] = "kibble\x08"
    rows[0]["year"] = "20\x0c26"
    text = to_csv(rows).replace(",status,", ",sta\x1btus,", 1)
    preview = preview_of(route_map, text)
    assert not preview.errors
    imports.route_map_import_apply(route_map=route_map, user=editor, preview=preview)
    draft = Edition.objects.drafts().get(route_map=route_map)
    saved = Milestone.objects.get(outcome__edition=draft, key=rows[0]["milestone_id"])
    assert saved.text == "Publish[31m the plan\tnow"
    assert saved.progress_note == "Line one\nLine two"
    assert (saved.status, saved.year) == (Status.ACHIEVED, 2026)
    assert [link.organisation.slug for link in saved.organisation_links.all()] == ["kibble"]


def test_a_file_with_more_rows_than_can_be_applied_is_refused_at_preview(
    client, editor, route_map, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    assert len(rows) > 3
    rows[0]["status"] = "achieved"
    response = upload(client, route_map, to_csv(rows))
    body = client.get(response["Location"]).content.decode()
    assert "The file has more than 3 milestones, more than can be imported at once" in body
    assert "Apply these changes" not in body
    token = preview_of(route_map, to_csv(rows)).fingerprint()
    response = client.post(reverse("editing:import_apply", args=[route_map.slug]), {"token": token})
    assert response.status_code == 400
    assert not Edition.objects.drafts().exists()


def test_a_change_to_the_draft_after_the_preview_stops_the_whole_import(
    client, editor, route_map, tmp_path
):
    rows = first_marked_achieved(client, editor, route_map)
    rows[1]["status"] = "delayed"
    preview = preview_of(route_map, to_csv(rows))
    other = Milestone.objects.get(key=rows[1]["milestone_id"])
    edit_in_draft(other, {"text": "Changed by someone else meanwhile"})
    with pytest.raises(imports.ImportNotAllowed, match="Line 3: that milestone was changed"):
        imports.route_map_import_apply(route_map=route_map, user=editor, preview=preview)
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert Milestone.objects.get(outcome__edition=draft, key=rows[0]["milestone_id"]).status == (
        Status.NO_UPDATE
    )
    assert not ChangeRecord.objects.filter(user=editor).exists()  # only the other change


@pytest.mark.parametrize(
    "text",
    [
        'milestone_id,outcome,year,status,text\n,x,2030,achieved,"never closed\n',
        'milestone_id,outcome,year,status,text\n,x,2030,achieved,"' + "a" * 200_000 + '"\n',
        ",,,,\n,,,,\n",
        "milestone_id,outcome,year,status,text\r,x,2030,achieved,x\r",
        ",".join(f"c{n}" for n in range(5000)) + "\n" + "x," * 4999 + "x\n",
        "\x1b\x07\n\x1b\n",
        "milestone_id,outcome_id,year,status,text\n{"
        + "9" * 5000
        + "},"
        + "0" * 40
        + ",２０３０,achieved,x\n",
        "milestone_id,outcome,year,status,text,organisations\n,x,2030,achieved,x,;;;\n",
    ],
    ids=[
        "unclosed quote",
        "cell over the CSV field limit",
        "empty header",
        "old Mac line endings",
        "5,000 columns",
        "control characters only",
        "nonsense keys and wide digits",
        "empty organisation slugs",
    ],
)
def test_bad_files_never_give_a_server_error(client, editor, route_map, text):
    client.force_login(editor)
    response = upload(client, route_map, text)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200
    response = client.post(
        reverse("editing:import_apply", args=[route_map.slug]), {"token": "0" * 64}
    )
    assert response.status_code in (302, 400, 409)
    assert not Edition.objects.drafts().exists()
