"""A publisher pastes the "Where children live" page into the empty route map in Chromium,
checks the proposal on the review page, sets the year boundaries the fixture chose, and gets a
draft equal to the fixture made by hand from the same page."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import ALL_ROUTE_MAPS, PUBLISHERS
from routemap.models import Edition, RouteMap
from seeding.routemaps import FIXTURES_DIR, load_organisations, load_plan
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import grant
from tests.test_paste_journey import PAGE, content, expected_content, fixture_sections

pytestmark = pytest.mark.browser


@pytest.fixture
def empty_plan(transactional_db, django_user_model):
    """The plan's route maps and bodies with no route map content, and Pat, a publisher."""
    load_plan(FIXTURES_DIR / "plan.yaml")
    load_organisations(FIXTURES_DIR / "organisations.yaml")
    user = django_user_model.objects.create_user("pat", "pat@example.org", "a-long-passphrase")
    user.groups.add(Group.objects.get_or_create(name=PUBLISHERS)[0])
    grant(user, ALL_ROUTE_MAPS)
    return RouteMap.objects.get(slug="where-children-live")


def set_choice(page, name: str, value: str) -> None:
    """Set one of the review page's fields, whatever its kind, as a publisher would."""
    field = page.locator(f"[name='{name}']")
    kind = field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if kind.startswith("select"):
        field.select_option(value)
    elif kind == "input:checkbox":  # the design system's box is drawn by its label
        page.locator(f"label[for='{field.get_attribute('id')}']").click()
        expect(field).to_be_checked()
    else:
        field.fill(value)


def test_pasting_the_page_and_setting_the_boundaries_gives_the_fixture(
    page, live_server, empty_plan
):
    site = live_server.url
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/route-maps/where-children-live/")
    page.get_by_role("link", name="Make a draft from the route map's page").click()
    assert_accessible(page)

    # An empty paste is refused with a message, and nothing is made.
    page.get_by_role("button", name="Read the page").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("The text of the route map page").fill(PAGE)
    page.get_by_role("button", name="Read the page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the draft")
    # The proposal says which years are certain and which were inferred.
    expect(page.get_by_text("Certain", exact=True).first).to_be_visible()
    expect(page.get_by_text("Inferred", exact=True).first).to_be_visible()
    assert_accessible(page)
    assert not Edition.objects.filter(route_map=empty_plan).exists()  # nothing saved yet

    # Each outcome's paragraphs are folded away; the publisher opens them one by one.
    for summary in page.locator(".paste-outcome > summary").all():
        summary.click()
    choices, _, _ = fixture_sections(empty_plan)
    for name, value in choices.items():
        set_choice(page, name, value)
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the draft")
    expect(page.get_by_text("There is a problem")).to_have_count(0)

    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_text("Draft made from the pasted page: 7 outcomes.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where children live")
    assert_accessible(page)

    draft = Edition.objects.get(route_map=empty_plan, state=Edition.State.DRAFT)
    assert content(draft) == expected_content()
    # Only a draft: the public page still has nothing to show.
    page.goto(f"{site}/route-maps/where-children-live/")
    expect(page.get_by_text("Kinship care is valued as a vital part")).to_have_count(0)
