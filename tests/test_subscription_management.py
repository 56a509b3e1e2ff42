"""One email per address, naming everything it was sent for; one unsubscribe link that stops
all of it; "Manage my subscriptions" from a signed link; emails that say what progress was
made; links to the site's own address."""

import re

import pytest
from django.core import mail, signing
from django.test import Client, override_settings

from milestones.models import Milestone, Status
from publishing.services import edition_publish
from subscriptions.models import Subscription, keys_token
from subscriptions.notifications import update_messages
from tests.factories import (
    OrganisationFactory,
    PendingSubscriptionFactory,
    RouteMapFactory,
    SubscriptionFactory,
    build_route_map,
    draft_copy,
)
from tests.helpers import subscription_link

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"  # the address emails give for the site (SITE_URL by default)

NOTE = (
    "Twenty-nine of the thirty-two councils now pay the allowance.\n\n"
    "The last three have agreed to start in the new financial year."
)


def link(message, kind: str, site: str = SITE) -> str:
    return subscription_link(message, kind, site=site)


@pytest.fixture
def live():
    return build_route_map(outcomes=1, milestones_per_year=1, title="Where children live")


@pytest.fixture
def lead(live):
    """The organisation responsible for every milestone of `live`."""
    return live.outcomes.get().milestones.first().organisation_links.get().organisation


def publish(live, capture, *, status=Status.IN_PROGRESS, note="", text=None):
    draft = draft_copy(live, milestone_status=status)
    if note or text:
        milestones = Milestone.objects.filter(outcome__edition=draft)
        milestones.update(**{k: v for k, v in {"progress_note": note}.items() if v})
        if text:
            milestones.filter(year=2026).update(text=text)
    with capture(execute=True):
        return edition_publish(edition=draft, note="Statuses updated.")


@pytest.fixture
def both(live, lead):
    """One address following the route map and the organisation responsible for it."""
    return [
        SubscriptionFactory(email="both@example.org", route_map=live.route_map),
        SubscriptionFactory(email="both@example.org", route_map=None, organisation=lead),
    ]


# One email, one unsubscribe


def test_one_email_names_both_subscriptions_and_one_click_ends_both(
    live, lead, both, django_capture_on_commit_callbacks
):
    second = publish(live, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == ["both@example.org"]
    footer = message.body.split("\n--\n")[1]
    assert "- the Where children live route map" in footer
    assert f"- milestones {lead.name} is responsible for" in footer
    unsubscribe = link(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail client's one-click POST (RFC 8058): no CSRF token, no page seen.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()

    mail.outbox.clear()
    publish(second, django_capture_on_commit_callbacks, status=Status.ACHIEVED)
    assert mail.outbox == []


def test_two_organisations_of_one_address_give_one_email(lead, django_capture_on_commit_callbacks):
    other = OrganisationFactory(name="Care Inspectorate")
    live = build_route_map(outcomes=1, milestones_per_year=1, organisations=[lead, other])
    for milestone in live.outcomes.get().milestones.all():
        milestone.organisation_links.create(organisation=other)
    for organisation in (lead, other):
        SubscriptionFactory(email="orgs@example.org", route_map=None, organisation=organisation)

    publish(live, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "Changes to milestones the organisations you follow are responsible for" in (
        message.body
    )
    assert message.body.count("Status changed from No update yet to In progress") == 7


def test_the_unsubscribe_page_lists_what_stops_and_what_carries_on(
    client, live, lead, both, django_capture_on_commit_callbacks
):
    elsewhere = SubscriptionFactory(email="both@example.org", route_map=RouteMapFactory())
    publish(live, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert f"This address also gets updates about the {elsewhere.route_map.title} route map" in (
        message.body
    )

    page = client.get(link(message, "unsubscribe")).content.decode()
    assert "Stop sending these updates to both@example.org?" in page
    assert "Where children live</a> route map" in page
    assert f"{lead.name}</a> is responsible for" in page
    assert "Those carry on." in page and elsewhere.route_map.title in page
    assert Subscription.objects.count() == 3  # looking changes nothing

    done = client.post(link(message, "unsubscribe")).content.decode()
    assert "You have unsubscribed" in done
    assert "Updates you still get" in done
    assert list(Subscription.objects.all()) == [elsewhere]


def test_an_unsubscribe_link_from_before_still_stops_its_subscription(client):
    """Emails sent before this change carry a token naming one key in hex."""
    subscription = SubscriptionFactory()
    kept = SubscriptionFactory(email=subscription.email)
    old_token = signing.Signer(salt="subscriptions.unsubscribe").sign(subscription.key.hex)

    assert "Unsubscribe" in client.get(f"/subscriptions/unsubscribe/{old_token}/").content.decode()
    response = Client(enforce_csrf_checks=True).post(f"/subscriptions/unsubscribe/{old_token}/")

    assert response.status_code == 200
    assert list(Subscription.objects.all()) == [kept]
    again = client.post(f"/subscriptions/unsubscribe/{old_token}/")
    assert again.status_code == 410
    assert "Already unsubscribed" in again.content.decode()


def test_a_manage_token_is_no_unsubscribe_token(client):
    subscription = SubscriptionFactory()
    manage = keys_token([subscription.key], purpose="manage")
    response = client.post(f"/subscriptions/unsubscribe/{manage}/")
    assert response.status_code == 404
    assert Subscription.objects.exists()


# Manage my subscriptions


@pytest.fixture
def manage_url(live, both, django_capture_on_commit_callbacks):
    PendingSubscriptionFactory(email="both@example.org", route_map=RouteMapFactory())
    SubscriptionFactory(email="someone-else@example.org", route_map=live.route_map)
    publish(live, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["both@example.org"])
    assert "Manage my subscriptions" in message.body
    return link(message, "manage")


def test_the_manage_page_lists_the_address_confirmed_subscriptions(client, manage_url, lead):
    response = client.get(manage_url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Email updates sent to both@example.org." in page
    assert page.count('name="remove"') == 3  # two subscriptions and "Remove all"
    assert "Where children live</a>: every change" in page
    assert f"{lead.name}</a>: changes to the milestones" in page
    assert "someone-else@example.org" not in page
    assert "csrfmiddlewaretoken" in page
    assert Subscription.objects.filter(email="both@example.org").count() == 3


def test_removing_one_subscription_keeps_the_others(client, manage_url, lead):
    route_map_subscription = Subscription.objects.get(
        email="both@example.org", route_map__title="Where children live"
    )
    response = client.post(manage_url, {"remove": route_map_subscription.key.hex}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "You will get no more updates about Where children live." in page
    assert page.count('name="remove"') == 2
    assert lead.name in page
    remaining = Subscription.objects.confirmed().filter(email="both@example.org")
    assert [s.organisation for s in remaining] == [lead]


def test_remove_all_forgets_the_address(client, manage_url):
    response = client.post(manage_url, {"remove": "all"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "You will get no more email updates from us. We have deleted your address." in page
    assert not Subscription.objects.filter(email="both@example.org").exists()  # pending too
    assert Subscription.objects.filter(email="someone-else@example.org").exists()
    # The link now has nothing to manage, and says so.
    again = client.get(manage_url)
    assert again.status_code == 410
    assert "Already unsubscribed" in again.content.decode()


def test_the_manage_page_needs_a_csrf_token_to_remove(manage_url):
    response = Client(enforce_csrf_checks=True).post(manage_url, {"remove": "all"})
    assert response.status_code == 403
    assert Subscription.objects.filter(email="both@example.org").count() == 3


def test_removing_something_already_gone_says_so(client, manage_url):
    response = client.post(manage_url, {"remove": "0" * 32})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="ds_error-summary"' in page
    assert "Those updates have already been stopped." in page
    assert Subscription.objects.filter(email="both@example.org").count() == 3


@pytest.mark.parametrize(
    "make_token",
    [
        lambda: "nonsense",
        lambda: "AAAAAAAAAAAAAAAAAAAAAA:not-a-signature",
        lambda: keys_token([], purpose="manage"),
        lambda: keys_token([Subscription().key], purpose="unsubscribe"),  # the other use
    ],
    ids=["nonsense", "bad-signature", "no-keys", "unsubscribe-token"],
)
def test_a_tampered_manage_link_gets_a_helpful_page(client, make_token):
    SubscriptionFactory()
    token = make_token()
    for method in (client.get, client.post):
        response = method(f"/subscriptions/manage/{token}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert "Manage my subscriptions" not in response.content.decode()


def test_a_cut_short_manage_link_gets_a_helpful_page(client, manage_url):
    response = client.get(manage_url[:-5] + "/")
    assert response.status_code == 404
    assert "check you copied all of it" in response.content.decode()


def test_the_manage_page_is_bounded_in_queries(client, manage_url, django_assert_max_num_queries):
    for _ in range(10):
        SubscriptionFactory(email="both@example.org", route_map=RouteMapFactory())
    with django_assert_max_num_queries(4):
        assert client.get(manage_url).status_code == 200


# What the update email says


def test_update_emails_quote_the_new_note_whole_and_each_milestone_once(
    live, django_capture_on_commit_callbacks
):
    SubscriptionFactory(route_map=live.route_map)
    long_text = (
        "Kinship carers in every local authority area receive the Scottish Recommended "
        "Allowance, paid at the same rate as foster carers, from April 2026."
    )
    Milestone.objects.filter(outcome__edition=live, year=2026).update(text=long_text)

    publish(live, django_capture_on_commit_callbacks, note=NOTE)

    body = mail.outbox[0].body
    assert "Progress note updated" not in body
    assert body.count("Progress note: Twenty-nine of the thirty-two councils") == 7
    assert body.count("  The last three have agreed to start in the new financial year.") == 7
    assert body.count("Status changed from No update yet to In progress") == 7
    assert body.count("“Kinship carers in every") == 1  # once: status and note together
    quoted = re.search(r"“(Kinship carers in every[^”]*)”", body).group(1)
    assert quoted.endswith("…")
    assert long_text.startswith(quoted[:-1])
    assert not long_text[len(quoted) - 1].isalnum()  # cut between words


def test_a_reworded_milestone_is_marked_word_by_word_and_explained(
    live, django_capture_on_commit_callbacks
):
    SubscriptionFactory(route_map=live.route_map)
    old = Milestone.objects.get(outcome__edition=live, year=2026).text
    new = old.rstrip(".") + " by April 2026."

    publish(live, django_capture_on_commit_callbacks, text=new)

    body = mail.outbox[0].body
    assert "Milestone for 2026 reworded; status changed from No update yet to In progress" in body
    marked = next(line for line in body.splitlines() if "{+" in line)
    assert marked.strip().endswith(" by April 2026.+}")
    assert "[-" in marked  # the last word, with its full stop, was replaced
    assert "the words taken out [-like this-] and the words put in {+like this+}" in body


@override_settings(SITE_URL="http://127.0.0.1:8102/")
def test_links_in_update_emails_use_the_site_url(live, both, django_capture_on_commit_callbacks):
    publish(live, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    site = "http://127.0.0.1:8102"
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(url.startswith(site + "/") for url in links), links
    assert f"{site}/route-maps/{live.route_map.slug}/" in links
    assert f"{site}/route-maps/{live.route_map.slug}/changes/" in links
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{site}/subscriptions/")
    Client().post(link(message, "unsubscribe", site=site))
    assert not Subscription.objects.exists()


def test_preparing_update_emails_takes_the_same_queries_for_many_addresses(
    live, lead, django_assert_max_num_queries
):
    draft = draft_copy(live, milestone_status=Status.IN_PROGRESS)
    edition_publish(edition=draft, note="Statuses updated.")
    draft.refresh_from_db()
    for n in range(15):
        SubscriptionFactory(email=f"reader{n}@example.org", route_map=live.route_map)
        SubscriptionFactory(email=f"reader{n}@example.org", route_map=None, organisation=lead)
        SubscriptionFactory(email=f"reader{n}@example.org", route_map=RouteMapFactory())
    # Reading both versions and who is responsible takes 13; the subscribers 2, however many.
    with django_assert_max_num_queries(15):
        messages = update_messages(draft, live)
    assert len(messages) == 15
