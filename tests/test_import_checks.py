"""What the CSV import's preview tells an editor beyond the changes themselves: word-level
differences, rows changed in the draft since the file was exported (held back unless ticked),
edits in columns that are not imported, and errors that name the milestone."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from editing import services as editing
from milestones.models import Milestone, Status
from routemap.models import Edition
from tests.factories import EditorFactory, MilestoneFactory
from tests.test_import import (  # noqa: F401  (fixtures)
    edition,
    editor,
    export,
    organisations,
    preview_of,
    rows_of,
    single_line_rows,
    to_csv,
    upload,
)

# ruff: noqa: F811  (the fixtures imported above are the test functions' arguments)

pytestmark = pytest.mark.django_db

LONG_TEXT = (
    "Local authorities, health boards and the Care Inspectorate will agree a shared approach "
    "to kinship care assessments so that children can stay with people they know, with the "
    "support they need, without waiting for a court order, and families will be told what "
    "help is available, including money, respite and advice, within four weeks of a child "
    "arriving; progress will be reported to the Promise Oversight Board in March."
)


def draft_edit(route_map, key, user=None, **values):
    draft = editing.edition_ensure_draft(route_map=route_map)
    milestone = Milestone.objects.get(outcome__edition=draft, key=key)
    return editing.milestone_update(
        route_map=route_map,
        key=key,
        user=user,
        values=values,
        organisations=[
            editing.OrganisationChoice(link.organisation, link.role)
            for link in milestone.organisation_links.all()
        ],
        expected_revision=milestone.revision,
    )


def preview_page(client, route_map, text) -> str:
    response = upload(client, route_map, text)
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def apply(client, route_map, text, **data):
    upload(client, route_map, text)
    token = preview_of(route_map, text).fingerprint()
    return client.post(
        reverse("editing:import_apply", args=[route_map.slug]), {"token": token, **data}
    )


def draft_milestone(route_map, key) -> Milestone:
    return Milestone.objects.get(
        outcome__edition__route_map=route_map,
        outcome__edition__state=(Edition.State.DRAFT),
        key=key,
    )


# ---------------------------------------------------------------------- word-level difference


def exported_with_long_text(client, editor, route_map, outcome):
    """The editor's export once `outcome` has a 2027 milestone of LONG_TEXT: (rows, its row)."""
    MilestoneFactory(outcome=outcome, year=2027, text=LONG_TEXT)
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    return rows, next(r for r in rows if r["text"] == LONG_TEXT)


def test_a_change_late_in_a_long_text_is_shown_as_the_words_that_changed(
    client, editor, route_map, edition
):
    outcome = edition.outcomes.order_by("order").first()
    rows, row = exported_with_long_text(client, editor, route_map, outcome)
    assert len(LONG_TEXT.split()) > 60
    row["text"] = LONG_TEXT.replace("in March", "in September")
    body = preview_page(client, route_map, to_csv(rows))
    changes = body[body.index("Milestones to change") :]
    assert '<span class="visually-hidden">[removed: </span>March' in changes
    assert '<span class="visually-hidden">[added: </span>September' in changes
    assert "Promise Oversight Board" in changes  # the whole text, not the first 60 words


# ---------------------------------------------------------------- changed since the export


def test_a_row_changed_in_the_draft_since_the_export_is_held_back_unless_ticked(
    client, editor, route_map
):
    client.force_login(editor)
    old_export = export(client, route_map)
    rows = rows_of(old_export)
    theirs, mine = rows[0], rows[1]
    # Someone else rewords one milestone and sets its status after the export...
    colleague = EditorFactory(all_route_maps=True, first_name="Morag", last_name="Reid")
    draft_edit(
        route_map,
        theirs["milestone_id"],
        colleague,
        text=theirs["text"] + " Agreed with COSLA.",
        status=Status.IN_PROGRESS,
    )
    # ...while the editor changes another in the old file.
    mine["progress_note"] = "Met in May."
    text = to_csv(rows)

    preview = preview_of(route_map, text)
    assert [row.key for row in preview.changed] == [mine["milestone_id"]]
    [stale] = preview.stale
    assert stale.key == theirs["milestone_id"]
    assert {(c.field, c.who) for c in stale.since_export} == {
        ("text", "Morag Reid"),
        ("status", "Morag Reid"),
    }
    assert "1 more milestone was changed in the draft since this file was exported" in (
        preview.summary()
    )

    body = preview_page(client, route_map, text)
    section = body[body.index('id="changed-since-export"') : body.index("Milestones to change")]
    assert (
        "Changed in the draft since this file was exported: importing would replace their change."
        in section
    )
    assert '<span class="visually-hidden">[added: </span> Agreed with COSLA.' in section
    assert "by Morag Reid on" in section
    assert "<del>No update yet</del>" in section and "<ins>In progress</ins>" in section
    assert f'name="apply_stale" value="{theirs["milestone_id"]}"' in section
    assert 'form="import-apply"' in section

    # Applied without ticking: their change stays.
    assert apply(client, route_map, text).status_code == 302
    kept = draft_milestone(route_map, theirs["milestone_id"])
    assert kept.text.endswith("Agreed with COSLA.")
    assert kept.status == Status.IN_PROGRESS
    assert draft_milestone(route_map, mine["milestone_id"]).progress_note == "Met in May."


def test_a_ticked_row_replaces_the_change_made_since_the_export(client, editor, route_map):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    draft_edit(route_map, rows[0]["milestone_id"], text="Reworded meanwhile")
    response = apply(client, route_map, to_csv(rows), apply_stale=[rows[0]["milestone_id"]])
    assert response.status_code == 302
    assert draft_milestone(route_map, rows[0]["milestone_id"]).text == rows[0]["text"]


def test_an_unchanged_row_of_an_old_export_is_not_flagged(client, editor, route_map):
    """The draft matches the file for this row (someone changed it and changed it back), so
    importing it replaces nothing."""
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    draft_edit(route_map, rows[0]["milestone_id"], text="Reworded")
    draft_edit(route_map, rows[0]["milestone_id"], text=rows[0]["text"])
    preview = preview_of(route_map, to_csv(rows))
    assert not preview.stale
    assert not preview.has_changes


def test_the_round_trip_export_after_an_import_is_checked_against_the_new_revisions(
    client, editor, route_map
):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    rows[0]["status"] = "Achieved"  # the label, as people type it
    assert apply(client, route_map, to_csv(rows)).status_code == 302
    again = rows_of(export(client, route_map))
    assert next(r for r in again if r["milestone_id"] == rows[0]["milestone_id"])["revision"] == (
        str(int(rows[0]["revision"]) + 1)
    )
    preview = preview_of(route_map, to_csv(again))
    assert preview.checked and not preview.stale and not preview.has_changes


def test_a_file_without_the_revision_column_imports_but_says_it_cannot_be_checked(
    client, editor, route_map
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    draft_edit(route_map, rows[0]["milestone_id"], text="Reworded meanwhile")
    columns = [c for c in rows[0] if c not in ("revision", "exported_at")]
    text = to_csv(rows, columns)
    preview = preview_of(route_map, text)
    assert not preview.checked
    assert not preview.stale
    assert [row.key for row in preview.changed] == [rows[0]["milestone_id"]]
    body = preview_page(client, route_map, text)
    assert "it cannot be checked for changes made in the draft since it was exported" in body
    assert apply(client, route_map, text).status_code == 302


def test_an_export_whose_time_was_mangled_still_holds_back_changed_rows(client, editor, route_map):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    for row in rows:
        row["exported_at"] = "30/11/2026 12:00"
    draft_edit(route_map, rows[0]["milestone_id"], text="Reworded meanwhile")
    body = preview_page(client, route_map, to_csv(rows))
    assert "What was changed, and by whom, is not known" in body
    assert f'value="{rows[0]["milestone_id"]}"' in body


def test_a_revision_that_is_not_a_number_is_an_error(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["revision"] = "two"
    [error] = preview_of(route_map, to_csv(rows)).errors
    assert "revision “two” is not a number" in error.message


def test_the_command_holds_back_changed_rows_unless_asked(client, editor, route_map, tmp_path):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    draft_edit(route_map, rows[0]["milestone_id"], text="Reworded meanwhile")
    path = tmp_path / "old.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    call_command("import_route_map", str(path), "--route-map", route_map.slug)
    assert draft_milestone(route_map, rows[0]["milestone_id"]).text == "Reworded meanwhile"
    call_command(
        "import_route_map", str(path), "--route-map", route_map.slug,
        "--replace-changes-since-export",
    )  # fmt: skip
    assert draft_milestone(route_map, rows[0]["milestone_id"]).text == rows[0]["text"]


# ---------------------------------------------------------------- columns that are not imported


def test_an_edited_status_label_is_reported_with_the_column_to_edit_instead(
    client, editor, route_map
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status_label"] = "In progress"
    rows[1]["organisation_names"] = "Somebody Else"
    preview = preview_of(route_map, to_csv(rows))
    assert not preview.has_changes
    assert [(e.line, e.column) for e in preview.ignored] == [
        (2, "status_label"),
        (3, "organisation_names"),
    ]
    body = preview_page(client, route_map, to_csv(rows))
    assert (
        "<strong>status_label</strong> says “In progress” (the export wrote “No update yet”), "
        "but this column is not imported: edit the status column instead (you can type "
        "“In progress” there)." in body
    )
    assert "edit the organisations column instead" in body


def test_a_status_label_changed_along_with_the_status_is_not_reported(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status"] = "In progress"
    rows[1]["status"] = "delayed"  # and its label left as it was
    rows[0]["status_label"] = "In progress"
    preview = preview_of(route_map, to_csv(rows))
    assert preview.ignored == []
    assert [c.milestone.status for c in preview.changed] == [Status.NO_UPDATE, Status.NO_UPDATE]
    assert [c.values["status"] for c in preview.changed] == [Status.IN_PROGRESS, Status.DELAYED]


def test_spreadsheet_formats_of_unchanged_derived_columns_are_not_reported(
    client, editor, route_map
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    for row in rows:
        year, month, day = row["due_date"].split("-")
        row["due_date"] = f"{day}/{month}/{year}"
        row["overdue"] = row["overdue"].upper()
        row["status_label"] = row["status_label"].upper()
    assert preview_of(route_map, to_csv(rows)).ignored == []


def test_an_edited_due_date_is_reported(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["due_date"] = "2030-01-01"
    [ignored] = preview_of(route_map, to_csv(rows)).ignored
    assert ignored.column == "due_date"
    assert "the due date is read from the text" in ignored.instead


# ---------------------------------------------------------------------------- messages


def test_an_unknown_status_lists_the_labels_people_type(client, editor, route_map):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows[0]["status"] = "finished"
    [error] = preview_of(route_map, to_csv(rows)).errors
    assert error.message.startswith(
        "Unknown status “finished”: type one of No update yet, Not started, In progress, "
        "Achieved, Delayed, No longer planned (or the codes no_update, not_started"
    )


def test_errors_quote_the_milestone_shortened_at_a_word_with_year_and_outcome(
    client, editor, route_map, edition
):
    outcome = edition.outcomes.order_by("order").first()
    rows, row = exported_with_long_text(client, editor, route_map, outcome)
    row["year"] = "someday"
    [error] = preview_of(route_map, to_csv(rows)).errors
    assert error.about == (
        f"“Local authorities, health boards and the Care Inspectorate…”, 2027, {outcome.title}"
    )


def test_a_new_row_with_only_a_status_label_says_to_type_it_in_the_status_column(
    client, editor, route_map, edition
):
    client.force_login(editor)
    rows = single_line_rows(client, route_map)
    rows.append(
        {
            **dict.fromkeys(rows[0], ""),
            "outcome_id": str(edition.outcomes.first().key),
            "year": "2030",
            "status_label": "In progress",
            "text": "A new milestone",
        }
    )
    [error] = preview_of(route_map, to_csv(rows)).errors
    assert error.about.startswith("“A new milestone”, 2030, ")
    assert error.message == (
        "The status is empty: type one of No update yet, Not started, In progress, Achieved, "
        "Delayed, No longer planned in the status column (status_label says “In progress”, "
        "but that column is not imported)."
    )


def test_the_upload_page_documents_the_columns(client, editor, route_map):
    client.force_login(editor)
    body = client.get(reverse("editing:import", args=[route_map.slug])).content.decode()
    assert "The columns that are imported" in body
    assert "One of: No update yet, Not started, In progress" in body
    assert "revision and exported_at" in body


def test_the_preview_page_is_bounded_in_queries(
    client, editor, route_map, django_assert_max_num_queries
):
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    for row in rows:
        draft_edit(route_map, row["milestone_id"], text=row["text"] + " (changed)")
        row["status_label"] = "Achieved"
    upload(client, route_map, to_csv(rows))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("editing:import_preview", args=[route_map.slug]))
    assert response.content.decode().count('name="apply_stale"') == len(rows)
