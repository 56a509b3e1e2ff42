"""Search over published content: route maps, outcomes, milestones and progress entries.

On PostgreSQL this is full-text search (websearch syntax, English stemming, ranked, with
highlighted snippets); on SQLite a simpler match on every word, ranked by the field it is in.
Snippets are built here from escaped text: only the <mark> tags added here are markup.

On PostgreSQL, milestones, outcomes and progress entries carry a stored, GIN-indexed
`search_vector` column (milestones/ and outcomes/ migrations 0002) made from the same weighted
fields as listed in _sources(): ranking reads it instead of recomputing every matching row's
vector. Route maps (whose vector spans two tables) and commitments are few and computed here.
"""

import re
from dataclasses import dataclass

from django import forms
from django.db import DataError, InternalError, ProgrammingError, connection, transaction
from django.db.models import (
    Case,
    Count,
    Expression,
    F,
    FloatField,
    Q,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Col
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from core.forms import CleanTextForm
from core.pagecache import uses_query_parameters
from core.templatetags.richtext import plaintext
from milestones.models import Milestone
from outcomes.models import Outcome, ProgressEntry
from routemap.models import Edition
from sources.models import Commitment

MAX_QUERY_LENGTH = 200
RESULTS_PER_KIND = 50
RESULTS_SHOWN = 50
SNIPPET_CHARS = 240
CONFIG = "english"
# PostgreSQL marks matches with these; they are swapped for <mark> after escaping the text.
START, STOP = "\ue000", "\ue001"
# Kinds whose table has the stored vector column (see the module docstring).
STORED_VECTOR = {"Outcome", "Milestone", "Progress"}
VECTOR_COLUMN = "search_vector"
# Two or more "leave out" hyphens with only spaces or punctuation between them ("a -----",
# "(-(-(-"): PostgreSQL nests one NOT per hyphen and fails past about 32 of them.
REPEATED_NOT = re.compile(r"-(?:[^\w\"]*-)+")
UNREADABLE = "The search could not be read. Try plain words, without symbols."


class SearchForm(CleanTextForm):
    q = forms.CharField(
        label="Search route maps",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": f"Enter {MAX_QUERY_LENGTH} characters or fewer to search for."
        },
        widget=forms.TextInput(
            attrs={"type": "search", "class": "ds_input", "id": "search-q", "autocomplete": "off"}
        ),
    )


@dataclass
class SearchResult:
    kind: str
    title: str
    url: str
    context: str
    snippet: SafeString
    rank: float
    status: str = ""  # milestones and commitments: StatusReport.status_summary


@dataclass
class SearchResults:
    results: list[SearchResult]
    total: int
    # Why there are no results when it is not simply that nothing matched.
    problem: str = ""

    def __bool__(self) -> bool:
        return bool(self.results)


def _marked(text: str) -> SafeString:
    """Escape the text, then turn START/STOP markers into balanced <mark> elements."""
    parts = escape(text).split(START)
    html = parts[0].replace(STOP, "")
    for part in parts[1:]:
        inside, _, after = part.partition(STOP)
        html += f"<mark>{inside.replace(STOP, '')}</mark>{after.replace(STOP, '')}"
    # Every character came through escape(); the only tags are the <mark>s added above.
    return SafeString(html)


def _clean(text: str) -> str:
    """Stored Markdown as one line of plain text (markers from the database survive)."""
    return " ".join(plaintext(text).split())


def highlight(text: str, terms: list[str]) -> SafeString:
    """A short excerpt around the first matching term, every match marked (SQLite)."""
    text = _clean(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms if t), re.IGNORECASE)
    first = pattern.search(text) if terms else None
    start = max(0, (first.start() if first else 0) - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    excerpt = text[start : start + SNIPPET_CHARS]
    if start + SNIPPET_CHARS < len(text):
        excerpt = excerpt.rsplit(" ", 1)[0] + " …"
    if start:
        excerpt = "… " + excerpt
    marked = pattern.sub(lambda m: START + m.group(0) + STOP, excerpt) if terms else excerpt
    return _marked(marked)


def _route_map_fields(edition: str) -> list[str]:
    return [f"{edition}__route_map__title", f"{edition}__route_map__slug"]


# What a result's status line needs (milestones.models.StatusReport).
_STATUS_FIELDS = ["status", "status_updated_on", "status_updated_by__name"]


def _outcome_fields() -> list[str]:
    return ["outcome__title", "outcome__slug", *_route_map_fields("outcome__edition")]


def _sources():
    """For each kind: published rows with what a result needs, the weighted fields searched,
    and the fields the snippet is taken from. Large kinds load only the columns a result
    uses: on PostgreSQL every matching row passes through the sort by rank."""
    return [
        (
            "Route map",
            Edition.objects.published().select_related("route_map__foundation"),
            [("route_map__title", "A"), ("summary", "B")],
            ["summary"],
        ),
        (
            "Outcome",
            Outcome.objects.published()
            .select_related("edition__route_map")
            .only("title", "slug", "statement", *_route_map_fields("edition")),
            [("title", "A"), ("statement", "B")],
            ["statement"],
        ),
        (
            "Milestone",
            Milestone.objects.published()
            .select_related("outcome__edition__route_map", "status_updated_by")
            .only("year", "text", "progress_note", *_STATUS_FIELDS, *_outcome_fields()),
            [("text", "A"), ("progress_note", "B")],
            ["text", "progress_note"],
        ),
        (
            "Progress",
            ProgressEntry.objects.published()
            .select_related("outcome__edition__route_map")
            .only("text", *_outcome_fields()),
            [("text", "A")],
            ["text"],
        ),
        (
            "Commitment",
            Commitment.objects.published().select_related("document", "status_updated_by"),
            [("title", "A"), ("reference", "A"), ("text", "B"), ("timescale", "B")],
            ["text"],
        ),
    ]


def _result(kind: str, obj, snippet: SafeString, rank: float) -> SearchResult:
    if kind == "Route map":
        route_map = obj.route_map
        foundation = f"{route_map.foundation.name} foundation" if route_map.foundation else ""
        return SearchResult(
            kind, route_map.title, route_map.get_absolute_url(), foundation, snippet, rank
        )
    if kind == "Outcome":
        return SearchResult(
            kind,
            obj.title,
            obj.get_absolute_url(),
            obj.edition.route_map.title,
            snippet,
            rank,
        )
    if kind == "Commitment":
        return SearchResult(
            kind,
            obj.heading,
            obj.get_absolute_url(),
            obj.document.title,
            snippet,
            rank,
            obj.status_summary,
        )
    outcome = obj.outcome
    where = f"{outcome.edition.route_map.title} › {outcome.title}"
    if kind == "Milestone":
        return SearchResult(
            kind,
            f"{outcome.title}: {obj.year} milestone",
            obj.get_absolute_url(),
            where,
            snippet,
            rank,
            obj.status_summary,
        )
    return SearchResult(
        kind,
        f"{outcome.title}: progress so far",
        f"{outcome.get_absolute_url()}#{outcome.anchor}-progress",
        where,
        snippet,
        rank,
    )


class StoredVector(Expression):
    """The queried table's stored `search_vector` column, which is not a model field."""

    def resolve_expression(self, query=None, *args, **kwargs):
        from django.contrib.postgres.search import SearchVectorField

        column = SearchVectorField()
        column.set_attributes_from_name(VECTOR_COLUMN)
        column.model = query.model
        return Col(query.get_initial_alias(), column)


def websearch_text(text: str) -> str:
    """The query with each run of "leave out" hyphens made one, which means the same."""
    return REPEATED_NOT.sub("-", text)


def _search_postgres(text: str) -> SearchResults:
    """Any text the normalising misses that PostgreSQL still cannot parse gives no results
    and a message, not an error page. The savepoint keeps the request's transaction usable;
    a lost connection (OperationalError) is left to the outage page."""
    try:
        with transaction.atomic():
            return _search_postgres_query(websearch_text(text))
    except (DataError, InternalError, ProgrammingError):
        return SearchResults([], 0, problem=UNREADABLE)


def _search_postgres_query(text: str) -> SearchResults:
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )

    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    results, total = [], 0
    for kind, queryset, fields, snippet_fields in _sources():
        if kind in STORED_VECTOR:
            vector = StoredVector()
        else:
            vector = SearchVector(fields[0][0], weight=fields[0][1], config=CONFIG)
            for name, weight in fields[1:]:
                vector += SearchVector(name, weight=weight, config=CONFIG)
        body = (
            Concat(*_joined(snippet_fields), output_field=TextField())
            if len(snippet_fields) > 1
            else snippet_fields[0]
        )
        # The vector is only filtered on and ranked by, never loaded. PostgreSQL computes
        # the (costly) headline after the sort and limit, so only for the rows returned.
        rows = list(
            queryset.alias(search_document=vector)
            .filter(search_document=query)
            .annotate(
                rank=SearchRank(F("search_document"), query),
                headline=SearchHeadline(
                    body,
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
                total=Window(Count("pk")),
            )
            .order_by("-rank", "pk")[:RESULTS_PER_KIND]
        )
        if rows:
            total += rows[0].total
        for row in rows:
            results.append(_result(kind, row, _marked(_clean(row.headline)), row.rank))
    return _ranked(results, total)


def _joined(names: list[str]) -> list:
    """Field expressions separated by blank lines (paragraphs), for one snippet."""
    parts: list = []
    for name in names:
        if parts:
            parts.append(Value("\n\n"))
        parts.append(F(name))
    return parts


def _terms(text: str) -> list[str]:
    words = re.findall(r"[\w'’-]+", text)
    return [w.strip("'’-") for w in words if w.strip("'’-") and w.lower() != "or"][:10]


def _search_simple(text: str) -> SearchResults:
    """Every word must appear in one of the fields; a title match ranks above body text."""
    terms = _terms(text)
    if not terms:
        return SearchResults([], 0)
    weights = {"A": 1.0, "B": 0.4}
    results, total = [], 0
    for kind, queryset, fields, snippet_fields in _sources():
        condition = Q()
        rank = Value(0.0, output_field=FloatField())
        for term in terms:
            condition &= Q(
                *[Q(**{f"{name}__icontains": term}) for name, _ in fields], _connector=Q.OR
            )
            rank = rank + Case(
                *[
                    When(**{f"{name}__icontains": term}, then=Value(weights[weight]))
                    for name, weight in fields
                ],
                default=Value(0.0),
                output_field=FloatField(),
            )
        rows = list(
            queryset.filter(condition)
            .annotate(rank=rank, total=Window(Count("pk")))
            .order_by("-rank", "pk")[:RESULTS_PER_KIND]
        )
        if rows:
            total += rows[0].total
        for row in rows:
            body = "\n\n".join(getattr_path(row, name) or "" for name in snippet_fields)
            results.append(_result(kind, row, highlight(body, terms), row.rank))
    return _ranked(results, total)


def getattr_path(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _ranked(results: list[SearchResult], total: int) -> SearchResults:
    results.sort(key=lambda r: -r.rank)
    return SearchResults(results[:RESULTS_SHOWN], total)


def search_published(text: str) -> SearchResults:
    text = text.replace("\x00", "").strip()
    if not text:
        return SearchResults([], 0)
    if connection.vendor == "postgresql":
        return _search_postgres(text)
    return _search_simple(text)


@require_safe
@uses_query_parameters("q")
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    found = None
    if form.is_valid() and form.cleaned_data["q"]:
        found = search_published(form.cleaned_data["q"])
    return render(
        request,
        "routemap/search.html",
        {"form": form, "query": request.GET.get("q", "")[:MAX_QUERY_LENGTH], "found": found},
    )
