"""Choosing organisations on the milestone form: the chosen ones as ticked checkboxes, one box
per role to add another (an autocomplete with JavaScript, a plain list without), in the
details that holds the year, due date and organisations; and Save within one screen of the
text box on the real "Where children live" content."""

import os

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from milestones.models import Milestone
from tests.browser.conftest import assert_accessible, show_year_due_and_organisations, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
EDIT_MAP = "/edit/route-maps/where-children-live/"


def busiest_milestone() -> Milestone:
    """The published "Where children live" milestone naming the most organisations: the
    longest form."""
    return (
        Milestone.objects.published()
        .filter(outcome__edition__route_map__slug="where-children-live")
        .annotate(bodies=Count("organisation_links"))
        .order_by("-bodies", "pk")
        .first()
    )


def form_url(site, milestone) -> str:
    return f"{site}{EDIT_MAP}milestones/{milestone.key}/"


def unchosen_lead(milestone) -> str:
    """The name of an organisation not yet on the milestone."""
    from organisations.models import Organisation

    chosen = milestone.organisation_links.values("organisation")
    return Organisation.objects.exclude(pk__in=chosen).order_by("name").first().name


def save_below(browser, site, viewport, box) -> float:
    """How far the Save button's top is below the top of `box` (a function of the page giving
    a locator), on the busiest milestone's form at this viewport, once it is enhanced; the
    picture (with SCREENSHOTS) is of the form as it first opens."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, site, "pat", "a-long-passphrase")
    page.goto(form_url(site, busiest_milestone()))
    expect(page.locator(".autocomplete__input").first).to_be_attached()
    if os.environ.get("SCREENSHOTS"):  # a folder to keep a picture of the form in
        shot = f"{os.environ['SCREENSHOTS']}/milestone-form-{viewport['width']}.png"
        page.screenshot(path=shot, full_page=True)
    top = box(page).bounding_box()["y"]
    save = page.get_by_role("button", name="Save milestone").bounding_box()["y"]
    context.close()
    return save - top


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_save_is_within_one_screen_of_the_milestone_text(browser, site, publisher, viewport):
    def text_box(page):
        box = page.get_by_role("textbox", name="Milestone", exact=True)
        expect(box).to_be_visible()
        return box

    assert save_below(browser, site, viewport, text_box) < viewport["height"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_save_is_within_one_screen_of_the_organisation_boxes(browser, site, publisher, viewport):
    def first_box(page):
        show_year_due_and_organisations(page)
        return page.get_by_role("combobox", name="Add a lead organisation (optional)")

    assert save_below(browser, site, viewport, first_box) < viewport["height"]


def test_an_organisation_is_added_by_typing_part_of_its_name(page, site, publisher):
    milestone = busiest_milestone()
    name = unchosen_lead(milestone)
    sign_in(page, site, "pat", "a-long-passphrase")
    page.goto(form_url(site, milestone))
    assert_accessible(page)
    show_year_due_and_organisations(page)

    box = page.get_by_role("combobox", name="Add a lead organisation (optional)")
    box.fill(name[1:7])
    page.get_by_role("option", name=name).click()
    added = page.get_by_role("checkbox", name=name)
    expect(added).to_be_checked()
    expect(box).to_have_value("")  # emptied for the next one
    expect(page.get_by_role("status").filter(has_text=f"{name} added")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("button", name="Save milestone").click()
    saved = page.locator(f"#edit-milestone-{milestone.key}")  # in place of the form (htmx)
    expect(saved.get_by_text("Saved to the draft.")).to_be_visible()
    expect(saved.locator(".milestone__organisations")).to_contain_text(f"{name} (lead)")
    page.goto(form_url(site, milestone))
    show_year_due_and_organisations(page)
    expect(page.get_by_role("checkbox", name=name)).to_be_checked()


def test_organisations_are_added_and_removed_by_keyboard_in_place(page, site, publisher):
    milestone = busiest_milestone()
    first = milestone.organisation_links.order_by("order").first().organisation.name
    sign_in(page, site, "pat", "a-long-passphrase")
    page.goto(f"{site}{EDIT_MAP}#edit-milestone-{milestone.key}")  # opens its year's tab
    item = page.locator(f"#edit-milestone-{milestone.key}")
    item.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")  # htmx swaps the form in: its pickers are enhanced too
    form = page.locator("li.milestone--editing")
    expect(form.get_by_role("textbox", name="Milestone", exact=True)).to_be_focused()
    more = form.locator(".milestone-form__more")
    expect(more).not_to_have_attribute("open", "")
    more.locator("summary").focus()  # the details' summary opens by keyboard
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("open", "")
    box = form.get_by_role("combobox", name="Add a contributing organisation (optional)")
    expect(box).to_be_visible()

    box.focus()
    page.keyboard.type("Care Insp")
    expect(form.get_by_role("option", name="Care Inspectorate")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(form.get_by_role("checkbox", name="Care Inspectorate")).to_be_checked()
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    page.keyboard.type("Promise Scot")  # a second one before saving: Enter takes the first
    expect(form.get_by_role("option", name="The Promise Scotland")).to_be_visible()
    page.keyboard.press("Enter")
    expect(form.get_by_role("checkbox", name="The Promise Scotland")).to_be_checked()

    remove = form.get_by_role("checkbox", name=first)
    remove.focus()
    page.keyboard.press("Space")
    expect(remove).not_to_be_checked()
    assert_accessible(page)
    form.get_by_role("button", name="Save milestone").focus()
    page.keyboard.press("Enter")
    saved = page.locator(f"#edit-milestone-{milestone.key}")
    expect(saved.get_by_text("Saved to the draft.")).to_be_visible()
    bodies = saved.locator(".milestone__organisations")
    expect(bodies).to_contain_text("Care Inspectorate (contributor)")
    expect(bodies).to_contain_text("The Promise Scotland (contributor)")
    expect(bodies).not_to_contain_text(first)


def test_without_javascript_the_list_adds_one_each_save(browser, site, publisher):
    milestone = busiest_milestone()
    name = unchosen_lead(milestone)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, "pat", "a-long-passphrase")
    page.goto(form_url(site, milestone))
    show_year_due_and_organisations(page)  # a details needs no JavaScript
    expect(page.get_by_text("save again to add another").first).to_be_visible()
    page.get_by_label("Add a lead organisation (optional)").select_option(label=name)
    page.get_by_role("button", name="Save milestone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where children live")
    bodies = page.locator(f"#edit-milestone-{milestone.key} .milestone__organisations")
    expect(bodies).to_contain_text(f"{name} (lead)")
    page.goto(form_url(site, milestone))
    show_year_due_and_organisations(page)
    expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    context.close()
