"""An outcome's form, sent with htmx: a save made after someone else's shows their change in
place and keeps what the editor typed; saving again, and again, works without a page load."""

import pytest
from playwright.sync_api import expect

from editing import services
from outcomes.models import Outcome
from tests.browser.conftest import assert_accessible
from tests.factories import EditorFactory

pytestmark = pytest.mark.browser


def test_an_outcome_saved_meanwhile_is_shown_in_place_and_the_typed_text_kept(
    page, site, publisher
):
    outcome = Outcome.objects.published().get(
        edition__route_map__slug="where-children-live", slug="kinship-care"
    )
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Sign in").click()
    url = f"{site}/edit/route-maps/where-children-live/outcomes/{outcome.key}/"
    page.goto(url)
    statement = page.get_by_label("Outcome statement")
    expect(statement).to_be_visible()

    services.outcome_update(  # a colleague saves the outcome after Pat opened it
        route_map=outcome.edition.route_map,
        key=outcome.key,
        user=EditorFactory(username="morag"),
        values={"statement": "Morag's statement"},
        organisations=[],
        linked_route_maps=[],
        expected_revision=outcome.revision,
    )
    statement.fill("Pat's statement")
    page.get_by_role("button", name="Save outcome").click()
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("Someone else changed this outcome")
    expect(conflict).to_contain_text("Morag's statement")
    expect(page.get_by_label("Outcome statement")).to_have_value("Pat's statement")
    assert page.url == url  # swapped in place
    assert_accessible(page)

    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Saved to the draft.")).to_be_visible()
    page.get_by_label("Outcome statement").fill("Pat's second thoughts")
    with page.expect_response(url) as saved:  # the form in place goes on from Pat's save
        page.get_by_role("button", name="Save outcome").click()
    assert saved.value.ok
    expect(page.locator("#conflict")).to_have_count(0)
    expect(page.get_by_text("Saved to the draft.")).to_be_visible()
    draft = Outcome.objects.get(edition__state="draft", key=outcome.key)
    assert draft.statement == "Pat's second thoughts"
