"""Progress dates keep their precision: shown as printed, sorted by the end of the period
they state, and never said twice when the text opens with them."""

import datetime
import importlib

import pytest
from django.apps import apps

from outcomes.dates import period_end
from outcomes.models import ProgressEntry
from tests.factories import OutcomeFactory, ProgressEntryFactory, build_route_map


@pytest.mark.parametrize(
    ("label", "end"),
    [
        ("2024", "2024-12-31"),
        ("late 2024", "2024-12-31"),
        ("Early 2026", "2026-04-30"),
        ("mid-2026", "2026-08-31"),
        ("June 2024", "2024-06-30"),
        ("February 2028", "2028-02-29"),
        ("18 July 2025", "2025-07-18"),
        ("6th January 2022", "2022-01-06"),
        ("November 25th 2025", "2025-11-25"),
        ("2025/26", "2026-03-31"),
        ("August/ September 2024", "2024-09-30"),
        ("March- November 2025", "2025-11-30"),
        ("November – December 2026", "2026-12-31"),
        ("From 2025", "2025-12-31"),
        ("3-7 November", None),
        ("winter 2025", None),
        ("31st February 2025", None),
        ("", None),
    ],
)
def test_a_printed_date_is_sorted_by_the_last_day_of_its_period(label, end):
    assert period_end(label) == (datetime.date.fromisoformat(end) if end else None)


def test_late_2024_sorts_after_june_2024_and_before_2025():
    labels = ["2025", "late 2024", "June 2024", "3-7 November", "2024/25"]
    ordered = sorted(labels, key=lambda label: period_end(label) or datetime.date.max)
    assert ordered == ["June 2024", "late 2024", "2024/25", "2025", "3-7 November"]


@pytest.mark.django_db
def test_the_sort_date_follows_the_date_as_written():
    entry = ProgressEntryFactory(date_label="late 2024", date=datetime.date(2024, 1, 1))
    assert entry.date == datetime.date(2024, 12, 31)
    entry.date_label = "2025"
    entry.save()
    assert entry.date == datetime.date(2025, 12, 31)
    # Without a year in the label, a date given by hand is the only way to place the entry.
    week = ProgressEntryFactory(date_label="3-7 November", date=datetime.date(2025, 11, 7))
    assert week.date == datetime.date(2025, 11, 7)


@pytest.mark.django_db
def test_entries_in_date_order_put_those_without_a_year_last():
    outcome = OutcomeFactory()
    for label in ["2025", "", "late 2024", "June 2024"]:
        ProgressEntryFactory(outcome=outcome, date_label=label)
    ordered = ProgressEntry.objects.filter(outcome=outcome).in_date_order()
    assert [e.date_label for e in ordered] == ["June 2024", "late 2024", "2025", ""]


@pytest.mark.django_db
def test_existing_dates_move_to_the_end_of_their_period():
    migration = importlib.import_module("outcomes.migrations.0004_progress_date_ends_stated_period")
    late = ProgressEntryFactory(date_label="late 2024")
    week = ProgressEntryFactory(date_label="3-7 November", date=datetime.date(2025, 11, 3))
    # As stored before: the start of the period.
    ProgressEntry.objects.filter(pk=late.pk).update(date=datetime.date(2024, 1, 1))

    migration.dates_to_period_end(apps, None)

    late.refresh_from_db()
    week.refresh_from_db()
    assert late.date == datetime.date(2024, 12, 31)
    assert week.date == datetime.date(2025, 11, 3)


@pytest.mark.parametrize(
    ("label", "text", "shown"),
    [
        ("2024", "2024: Updated non-statutory guidance published.", ""),
        ("6th January 2022", "6th January 2022: Scottish Government published a paper.", ""),
        ("August 2023", "August 2023 The Scottish Government worked with ADCS.", ""),
        ("August 2023", "In August 2023, the allowance was rolled out.", ""),
        ("28th August 2024", "On 28th August 2024, certain provisions took effect.", ""),
        ("late 2024", "In late 2024, the Scottish Government consulted.", ""),
        ("2025", "Foster carers are eligible for support. In 2025 funding grew.", "2025"),
        ("2024", "20245 people were supported.", "2024"),
        ("3-7 November", "Adoption Week Scotland 3-7 November.", "3-7 November"),
        ("", "No date here.", ""),
    ],
)
def test_the_date_label_is_not_repeated_when_the_text_opens_with_it(label, text, shown):
    assert ProgressEntry(date_label=label, text=text).shown_date_label == shown


@pytest.mark.django_db
def test_pages_show_a_printed_date_once(client):
    edition = build_route_map(outcomes=1)
    outcome = edition.outcomes.get()
    ProgressEntryFactory(
        outcome=outcome, date_label="2024", text="2024: Kinship Care Assessment Framework."
    )
    ProgressEntryFactory(
        outcome=outcome, date_label="18 July 2025", text="The review was published on 18 July 2025."
    )
    for url in [edition.route_map.get_absolute_url(), outcome.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert "2024: Kinship Care Assessment Framework." in page  # the text as printed
        assert "<strong>2024</strong>" not in page
        assert '<p class="progress-list__date"><strong>18 July 2025</strong></p>' in page
    timeline = client.get(
        "/timeline/", {"outcome": outcome.slug, "show": "progress"}
    ).content.decode()
    assert "2024: Kinship Care Assessment Framework." in timeline
    assert "<strong>2024</strong>" not in timeline
    assert "<strong>18 July 2025</strong>" in timeline
