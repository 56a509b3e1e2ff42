"""Editors' CSV export and import: round trip, preview, every error with its line, apply."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from editing import imports
from editing import services as editing
from editing.models import ChangeRecord
from milestones.exports import COLUMN_NAMES
from milestones.models import Milestone, Status
from routemap.models import Edition, RouteMap
from tests.factories import (
    EditorFactory,
    MilestoneFactory,
    OrganisationFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
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
def route_map(edition):
    return edition.route_map


@pytest.fixture
def editor():
    return EditorFactory()


def export(client, route_map) -> str:
    response = client.get(reverse("editing:export_csv", args=[route_map.slug]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


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


@pytest.mark.parametrize("factory", [EditorFactory, PublisherFactory])
def test_editors_and_publishers_export_and_import(client, route_map, factory):
    client.force_login(factory())
    assert client.get(reverse("editing:export_csv", args=[route_map.slug])).status_code == 200
    assert client.get(reverse("editing:import", args=[route_map.slug])).status_code == 200


def test_an_editor_assigned_elsewhere_cannot_export_or_import(client, route_map):
    editor = EditorFactory()
    RouteMapFactory().editors.add(editor)
    client.force_login(editor)
    for method, url in import_urls(route_map):
        assert getattr(client, method)(url).status_code == 403, url


# --------------------------------------------------------------------------- export


def test_export_has_the_public_columns_plus_outcome_id(client, editor, route_map, edition):
    client.force_login(editor)
    text = export(client, route_map)
    assert text.startswith("\ufeff")
    rows = rows_of(text)
    assert list(rows[0]) == [*COLUMN_NAMES, "outcome_id"]
    milestones = Milestone.objects.filter(outcome__edition=edition)
    assert {r["milestone_id"] for r in rows} == {str(m.key) for m in milestones}
    by_id = {r["milestone_id"]: r for r in rows}
    for milestone in milestones:
        row = by_id[str(milestone.key)]
        assert row["outcome_id"] == str(milestone.outcome.key)
        assert row["url"].startswith("http://testserver/route-maps/")
    formula = milestones.get(text__startswith="=SUM")
    assert by_id[str(formula.key)]["text"] == "'=SUM(A1:A2) is not a formula"


def test_export_is_of_the_draft_when_there_is_one(client, editor, route_map, edition):
    milestone = Milestone.objects.filter(outcome__edition=edition).first()
    editing.milestone_update(
        route_map=route_map,
        key=milestone.key,
        user=None,
        values={"text": "Only in the draft"},
        organisations=[],
        expected_revision=milestone.revision,
    )
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
    assert [str(e) for e in preview.errors] == [
        "Line 3: Unknown outcome “no-such-outcome”: it is not an outcome of this route map."
    ]


def test_a_duplicated_milestone_id_names_both_lines(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows.append(dict(rows[1]))
    preview = preview_of(route_map, to_csv(rows))
    line = len(rows) + 1
    assert [str(e) for e in preview.errors] == [
        f"Line {line}: Duplicated milestone_id {rows[1]['milestone_id']}: it is also on line 3."
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
    assert "<strong>Line 2:</strong> Year 1999 is out of range" in body
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
            "status": "not_started",
            "text": "A brand new milestone",
            "organisations": "care-inspectorate",
        }
    )
    response = upload(client, route_map, to_csv(rows))
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "1 to add, 1 to change, 0 to remove." in body
    assert "<del>Not started</del>" in body
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
    assert changed.status == Status.NOT_STARTED  # public until published
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
    editing.milestone_update(
        route_map=route_map,
        key=other.key,
        user=None,
        values={"text": "Changed by someone else meanwhile"},
        organisations=[],
        expected_revision=other.revision,
    )
    response = client.post(reverse("editing:import_apply", args=[route_map.slug]), {"token": token})
    assert response.status_code == 409
    assert "nothing was imported" in response.content.decode()
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert Milestone.objects.get(outcome__edition=draft, key=rows[0]["milestone_id"]).status == (
        Status.NOT_STARTED
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
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status"] = "achieved"
    path = write(tmp_path, to_csv(rows))
    call_command("import_route_map", path, "--route-map", route_map.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "Changed (1):" in out
    assert "Status: Not started -> Achieved" in out
    assert "Dry run: nothing was changed." in out
    assert not Edition.objects.drafts().exists()
    assert not ChangeRecord.objects.exists()


def test_command_applies_to_the_draft_as_the_named_user(
    client, editor, route_map, tmp_path, capsys
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status"] = "achieved"
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
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status"] = "achieved"
    rows[1]["year"] = "2040"
    path = write(tmp_path, to_csv(rows))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_route_map", path, "--route-map", route_map.slug)
    err = capsys.readouterr().err
    assert "Line 3: Year 2040 is out of range" in err
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
