"""Helpers for browser tests: axe-core checks, a seeded live server and the people who sign in."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import ALL_ROUTE_MAPS, ALL_SOURCE_DOCUMENTS, PARTNERS, PUBLISHERS
from organisations.models import Organisation
from partners.models import PartnerProfile
from tests.factories import grant

_axe = Axe()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violations on the page as it is now (once it has
    loaded: a click that navigates returns before the new document exists)."""
    page.wait_for_load_state()
    results = _axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}:\n" + "\n".join(serious)


@pytest.fixture
def site(live_server, live_seeded):
    """The live server's base URL, with the seed content loaded."""
    return live_server.url


def wait_until(page, expression: str, timeout: float = 5.0) -> None:
    """Wait until a JavaScript expression is true. Polled from the test rather than with
    `page.wait_for_function`, whose polling runs the text through eval(), which the site's
    Content Security Policy refuses (a failure whenever the first check is not already true)."""
    for _ in range(int(timeout * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    assert page.evaluate(expression), f"still false after {timeout} s: {expression}"


@pytest.fixture
def publisher(live_seeded, django_user_model):
    """Pat (password "a-long-passphrase"), who publishes every route map and source document."""
    user = django_user_model.objects.create_user("pat", "pat@example.org", "a-long-passphrase")
    user.groups.add(Group.objects.get_or_create(name=PUBLISHERS)[0])
    grant(user, ALL_ROUTE_MAPS)
    grant(user, ALL_SOURCE_DOCUMENTS)
    return user


@pytest.fixture
def partner(live_seeded, django_user_model):
    """Casey (password "partner-passphrase"), a partner at the Care Inspectorate."""
    user = django_user_model.objects.create_user("casey", "casey@example.org", "partner-passphrase")
    user.groups.add(Group.objects.get_or_create(name=PARTNERS)[0])
    PartnerProfile.objects.create(
        user=user, organisation=Organisation.objects.get(name="Care Inspectorate")
    )
    return user


def sign_in(page, site, username, password, next_url="") -> None:
    """Sign in on the sign-in page, going on to `next_url` (a path) if given; returns once the
    next page has replaced the sign-in page."""
    page.goto(f"{site}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")


def show_year_due_and_organisations(scope) -> None:
    """Open the milestone form's details holding its year, due date, flag and organisations
    (`scope`: the page or the form), as an editor does: by clicking its summary."""
    summary = scope.locator(".milestone-form__more > summary")
    summary.click()
    expect(scope.locator(".milestone-form__more")).to_have_attribute("open", "")
