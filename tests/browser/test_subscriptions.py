"""A reader subscribes to a route map by email and confirms, in Chromium with axe-core."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_reader_subscribes_to_a_route_map_and_confirms(page, site):
    page.goto(site + "/route-maps/where-children-live/")
    page.get_by_role("link", name="Get email updates").first.click()  # the one at the top
    expect(page.get_by_role("heading", level=1)).to_have_text("Get email updates")
    expect(page.get_by_label("What do you want updates about?")).to_have_value(
        "route-map:where-children-live"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Send me a confirmation link").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_role("button", name="Send me a confirmation link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    (message,) = mail.outbox
    confirm_url = re.search(r"http\S+/subscriptions/confirm/\S+/", message.body).group(0)
    page.goto(confirm_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email updates")
    assert_accessible(page)

    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email updates confirmed")
    expect(
        page.get_by_text("One email each time the Where children live route map")
    ).to_be_visible()
    assert_accessible(page)

    unsubscribe_url = re.search(r"http\S+/subscriptions/unsubscribe/\S+/", message.body).group(0)
    page.goto(unsubscribe_url)
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(page)


def test_subscriber_with_two_subscriptions_removes_all_from_the_manage_page(page, site):
    """On a phone: the "Manage my subscriptions" link of an update email lists both, and
    "Remove all" stops them and says so."""
    from editing.services import edition_ensure_draft
    from milestones.models import Milestone, Status
    from publishing.services import edition_publish
    from routemap.models import RouteMap
    from subscriptions.models import Subscription
    from tests.factories import SubscriptionFactory

    route_map = RouteMap.objects.get(slug="where-children-live")
    draft = edition_ensure_draft(route_map=route_map)
    milestone = Milestone.objects.filter(outcome__edition=draft).order_by("pk").first()
    organisation = milestone.responsible_links[0].organisation
    SubscriptionFactory(email="both@example.org", route_map=route_map)
    SubscriptionFactory(email="both@example.org", route_map=None, organisation=organisation)
    milestone.status = Status.IN_PROGRESS
    milestone.save()
    edition_publish(edition=draft, note="Statuses updated.")

    (message,) = mail.outbox
    manage_url = re.search(r"http\S+/subscriptions/manage/\S+/", message.body).group(0)
    manage_path = manage_url.split("://", 1)[1].partition("/")[2]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/{manage_path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage my subscriptions")
    expect(page.get_by_text("Email updates sent to both@example.org.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Remove updates about"))).to_have_count(2)
    expect(page.get_by_role("link", name="Where children live")).to_be_visible()
    expect(page.get_by_role("link", name=organisation.name)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.get_by_role("button", name="Remove all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    expect(page.get_by_text("You will get no more email updates from us.")).to_be_visible()
    expect(page.get_by_text("Updates you will no longer get")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    assert not Subscription.objects.filter(email="both@example.org").exists()


def test_one_unsubscribe_from_an_email_ends_both_subscriptions_it_was_sent_for(page, site):
    """Two subscriptions (a route map and a body responsible for a changed milestone): one
    email names both; its unsubscribe button ends both; the next publish emails nobody."""
    from editing.services import edition_ensure_draft
    from milestones.models import Milestone, Status
    from publishing.services import edition_publish
    from routemap.models import RouteMap
    from tests.factories import SubscriptionFactory

    route_map = RouteMap.objects.get(slug="where-children-live")

    def publish(status):
        draft = edition_ensure_draft(route_map=route_map)
        milestone = Milestone.objects.filter(outcome__edition=draft).order_by("pk").first()
        milestone.status = status
        milestone.save()
        edition_publish(edition=draft, note="Statuses updated.")
        return milestone

    organisation = (
        Milestone.objects.published()
        .filter(outcome__edition__route_map=route_map)
        .order_by("pk")
        .first()
        .responsible_links[0]
        .organisation
    )
    SubscriptionFactory(email="both@example.org", route_map=route_map)
    SubscriptionFactory(email="both@example.org", route_map=None, organisation=organisation)
    publish(Status.IN_PROGRESS)

    (message,) = mail.outbox
    assert "Where children live" in message.body and organisation.name in message.body
    unsubscribe_url = re.search(r"http\S+/subscriptions/unsubscribe/\S+/", message.body).group(0)
    page.goto(site + "/" + unsubscribe_url.split("://", 1)[1].partition("/")[2])
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(page)

    mail.outbox.clear()
    publish(Status.ACHIEVED)
    assert mail.outbox == []
