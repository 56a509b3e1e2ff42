"""Two editors at once, and the keyboard, in an in-place milestone form: a save refused
because someone else saved first shows their words as the words that changed, beside the
editor's own, with focus on it; an opened form takes focus and gives it back."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import ALL_ROUTE_MAPS, PUBLISHERS
from milestones.models import Milestone
from tests.browser.conftest import assert_accessible, sign_in, wait_until
from tests.factories import grant

pytestmark = pytest.mark.browser

KINSHIP_2030 = "There will be availability of services to support parents"
EDIT_PAGE = "/edit/route-maps/where-children-live/"


@pytest.fixture
def morag(live_seeded, django_user_model):
    user = django_user_model.objects.create_user("morag", "morag@example.org", "morag-passphrase")
    user.groups.add(Group.objects.get_or_create(name=PUBLISHERS)[0])
    grant(user, ALL_ROUTE_MAPS)
    return user


def open_in_place(page):
    page.locator("li.milestone", has_text=KINSHIP_2030).get_by_role("link", name="Edit").click()
    form = page.locator("li.milestone--editing")
    expect(form.get_by_label("Progress note")).to_be_visible()
    return form


def focused(page, expression: str):
    return page.evaluate(f"document.activeElement && document.activeElement.{expression}")


def test_a_refused_save_shows_their_words_beside_mine_and_keeping_mine_saves(
    page, browser, site, publisher, morag
):
    sign_in(page, site, "pat", "a-long-passphrase", EDIT_PAGE)
    pats_form = open_in_place(page)
    pats_form.get_by_label("Progress note").fill("Pat's note on services.")

    other = browser.new_context()
    morags_page = other.new_page()
    sign_in(morags_page, site, "morag", "morag-passphrase", EDIT_PAGE)
    morags_form = open_in_place(morags_page)
    text = morags_form.get_by_label("Milestone")
    text.fill(text.input_value().replace("support parents", "support parents and carers", 1))
    morags_form.get_by_role("button", name="Save milestone").click()
    expect(morags_page.get_by_text("Saved to the draft.")).to_be_visible()
    other.close()

    pats_form.get_by_role("button", name="Save milestone").click()
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("Someone else changed this milestone")
    expect(conflict).to_contain_text("morag saved it")
    expect(conflict.locator("ins.word-diff__ins")).to_contain_text("and carers")
    expect(conflict.locator(".conflict__field")).to_have_text(["Milestone"])
    mine = conflict.locator(".conflict__side", has_text="What you typed")
    expect(mine).to_contain_text("to support parents and carers' mental health")  # as Pat has it
    expect(page.get_by_label("Progress note")).to_have_value("Pat's note on services.")
    wait_until(page, "document.activeElement && document.activeElement.id === 'conflict'")
    assert page.title().startswith("Error:")
    assert page.url.endswith(EDIT_PAGE)  # in place
    assert_accessible(page)

    conflict.get_by_role("button", name="Keep my version").click()
    expect(page.get_by_text("Saved to the draft.")).to_be_visible()
    expect(page.locator("#conflict")).to_have_count(0)
    saved = Milestone.objects.get(outcome__edition__state="draft", text__startswith=KINSHIP_2030)
    assert saved.progress_note == "Pat's note on services."
    assert not page.title().startswith("Error:")


def test_an_in_place_form_by_keyboard_takes_and_gives_back_focus_and_says_it_saved(
    page, site, publisher
):
    sign_in(page, site, "pat", "a-long-passphrase", EDIT_PAGE)
    item = page.locator("li.milestone", has_text=KINSHIP_2030)
    item.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    expect(page.locator("li.milestone--editing")).to_be_visible()
    wait_until(page, "document.activeElement && document.activeElement.name === 'text'")

    page.keyboard.press("Escape")  # nothing typed: Escape cancels, as Cancel does
    expect(page.locator("li.milestone--editing")).to_have_count(0)
    wait_until(
        page, "document.activeElement && document.activeElement.textContent.startsWith('Edit')"
    )
    assert "There will be availability" in focused(page, "textContent")
    assert page.url.endswith(EDIT_PAGE)  # Escape did not also hide the page

    page.keyboard.press("Enter")  # open again, from where focus came back to
    form = page.locator("li.milestone--editing")
    wait_until(page, "document.activeElement && document.activeElement.name === 'text'")
    form.get_by_role("link", name="Cancel").focus()
    page.keyboard.press("Enter")
    expect(form).to_have_count(0)
    wait_until(
        page, "document.activeElement && document.activeElement.textContent.startsWith('Edit')"
    )

    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement && document.activeElement.name === 'text'")
    page.keyboard.press("End")
    page.keyboard.type(" By keyboard.")
    page.locator("li.milestone--editing").get_by_role("button", name="Save milestone").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text("Saved to the draft.")
    wait_until(
        page, "document.activeElement && document.activeElement.textContent.startsWith('Edit')"
    )
    assert_accessible(page)
