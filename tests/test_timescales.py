"""Reading printed timescales as spans of plan years (pure functions, no database)."""

import pytest

from sources.timescales import TimescaleError, YearSpan, describe_span, parse_timescale


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Autumn 2025", (2025, 2025)),
        ("2025-26", (2025, 2026)),  # a financial year runs into the next calendar year
        ("2025-28", (2025, 2028)),
        ("2028/29-2029/30", (2028, 2030)),
        ("2028/29–2029/30", (2028, 2030)),  # en dash, as printed in the route map
        ("2025-26 – 2027-28", (2025, 2028)),
        ("by April 2026", (2026, 2026)),
        ("early 2026", (2026, 2026)),
        ("2024-2030", (2024, 2030)),
        ("2025 to 2028", (2025, 2028)),
        ("  Autumn   2025 ", (2025, 2025)),
    ],
)
def test_printed_timescales_become_year_spans(text, span):
    assert parse_timescale(text) == YearSpan(*span)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_no_timescale_is_none(text):
    assert parse_timescale(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", 'Cannot read the timescale "soon"'),
        ("Autumn", "write it as printed"),
        ("2027-25", "ends before it starts"),
        ("2025-25", "ends before it starts"),
        ("2025-2", "write it as printed"),
        ("1850", "not a likely year"),
        ("2025-26 – 2024-25", "ends before it starts"),
        ("Spring 2025 or later", "write it as printed"),
    ],
)
def test_nonsense_is_refused_with_a_clear_message(text, message):
    with pytest.raises(TimescaleError, match=message):
        parse_timescale(text)


def test_spans_read_as_words():
    assert describe_span(YearSpan(2025, 2028)) == "2025 to 2028"
    assert describe_span(YearSpan(2025, 2025)) == "2025"
    assert describe_span(None) == ""
