"""Limits against inbox flooding: confirmation and password-reset emails per recipient and per
client address, honeypots, and a password reset that does the same work for any address."""

import datetime
import re

import pytest
import time_machine
from django.core import mail

from tests.factories import OrganisationFactory, RouteMapFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC)
RESET_LINK = re.compile(r"/accounts/reset/[^/\s]+/[^/\s]+/")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def subscribe(client, target, email="reader@example.org", address="192.0.2.1", meta=(), **extra):
    data = {"email": email, "target": target, **extra}
    return client.post("/subscriptions/new/", data, REMOTE_ADDR=address, **dict(meta))


def reset(client, email, address="192.0.2.1", **extra):
    data = {"email": email, **extra}
    return client.post("/accounts/password_reset/", data, REMOTE_ADDR=address)


def targets(route_maps=4, organisations=4):
    return [f"route-map:{rm.slug}" for rm in RouteMapFactory.create_batch(route_maps)] + [
        f"organisation:{o.slug}" for o in OrganisationFactory.create_batch(organisations)
    ]


# Per recipient


def test_one_address_gets_at_most_five_emails_an_hour_whatever_they_are_about(client, clock):
    UserFactory(username="reader", email="reader@example.org")
    # From a different connection each time, so only the recipient's limit applies.
    answers = [
        subscribe(client, target, email="Reader@example.org", address=f"192.0.2.{n}")
        for n, target in enumerate(targets(), start=1)
    ]
    answers.append(reset(client, "reader@example.org", address="192.0.2.50"))

    assert len(mail.outbox) == 5
    # Over the limit the reader sees the same page: nothing tells a stranger the address
    # was used in the last hour.
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers[:-1]} == {"/subscriptions/new/sent/"}
    assert "at most 5 emails an hour" in client.get("/subscriptions/new/sent/").content.decode()


def test_the_recipient_limit_frees_up_as_the_hour_passes(client, clock):
    for n, target in enumerate(targets(route_maps=8, organisations=0)[:6]):
        subscribe(client, target, address=f"192.0.2.{n}")
    assert len(mail.outbox) == 5

    clock.shift(datetime.timedelta(hours=2))
    subscribe(client, targets(route_maps=1, organisations=0)[0], address="192.0.2.9")
    assert len(mail.outbox) == 6


def test_other_addresses_are_not_held_back_by_a_flooded_one(client, clock):
    for n, target in enumerate(targets(route_maps=6, organisations=0)):
        subscribe(client, target, email="victim@example.org", address=f"192.0.2.{n}")
    subscribe(client, targets(1, 0)[0], email="someone@example.org", address="192.0.2.99")
    assert [m.to for m in mail.outbox].count(["someone@example.org"]) == 1


# Per client address


def test_one_connection_can_ask_for_a_limited_number_of_emails(client, clock, settings):
    settings.EMAILS_PER_CLIENT_PER_HOUR = 3
    route_map = targets(1, 0)[0]
    for n in range(3):
        assert subscribe(client, route_map, email=f"r{n}@example.org").status_code == 302

    refused = subscribe(client, route_map, email="r3@example.org")
    refused_reset = reset(client, "r4@example.org")

    assert len(mail.outbox) == 3
    for response in (refused, refused_reset):
        page = response.content.decode()
        assert response.status_code == 429
        assert 'class="ds_error-summary"' in page
        assert "You have asked for a lot of emails from this connection" in page
    assert 'value="r3@example.org"' in refused.content.decode()
    assert subscribe(client, route_map, email="r5@example.org", address="192.0.2.2").status_code
    assert len(mail.outbox) == 4


def test_behind_a_proxy_each_reader_has_their_own_allowance(client, clock, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.EMAILS_PER_CLIENT_PER_HOUR = 2
    route_map = targets(1, 0)[0]

    def via_proxy(email, reader):
        return subscribe(
            client,
            route_map,
            email=email,
            address="10.0.0.254",
            meta={"HTTP_X_FORWARDED_FOR": reader},
        )

    via_proxy("a@example.org", "203.0.113.7")
    via_proxy("b@example.org", "1.2.3.4, 203.0.113.7")
    assert via_proxy("c@example.org", "5.6.7.8, 203.0.113.7").status_code == 429
    assert via_proxy("d@example.org", "198.51.100.4").status_code == 302
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"], ["d@example.org"]]


# Honeypots


def test_a_bot_filling_the_subscription_honeypot_sees_success_but_nothing_is_sent(client):
    from subscriptions.models import Subscription

    response = subscribe(client, targets(1, 0)[0], website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/subscriptions/new/sent/"
    assert mail.outbox == []
    assert not Subscription.objects.exists()


def test_a_bot_filling_the_reset_honeypot_sees_success_but_nothing_is_sent(client):
    UserFactory(username="casey", email="casey@example.org")
    response = reset(client, "casey@example.org", website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.parametrize("url", ["/subscriptions/new/", "/accounts/password_reset/"])
def test_the_honeypot_is_hidden_from_people(client, url):
    page = client.get(url).content.decode()
    hidden = page.split('<div class="visually-hidden" aria-hidden="true">')[1].split("</div>")[0]
    assert '<label for="id_website">Leave this field empty</label>' in hidden
    assert 'tabindex="-1"' in hidden
    assert page.count('name="website"') == 1


# Password reset: the same work whether or not the address has an account


def test_a_known_address_gets_a_reset_link(client):
    UserFactory(username="casey", email="casey@example.org")
    response = reset(client, "Casey@example.org")
    assert response["Location"] == "/accounts/password_reset/done/"
    (message,) = mail.outbox
    assert message.to == ["casey@example.org"]
    assert RESET_LINK.search(message.body)


def test_an_unknown_address_gets_one_email_saying_there_is_no_account(client):
    UserFactory(username="casey", email="casey@example.org")
    unknown = reset(client, "nobody@example.org")
    known = reset(client, "casey@example.org")

    assert unknown["Location"] == known["Location"] == "/accounts/password_reset/done/"
    no_account, link = mail.outbox
    assert no_account.to == ["nobody@example.org"]
    assert "There is no account that can sign in with this email address" in no_account.body
    assert not RESET_LINK.search(no_account.body)
    assert no_account.subject == link.subject
    done = client.get(unknown["Location"]).content.decode()
    assert "We have sent an email to the address you gave" in done


def test_an_invalid_reset_request_shows_the_error_summary(client):
    response = reset(client, "not an address")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="ds_error-summary"' in page
    assert "Enter an email address in the correct format" in page
    assert mail.outbox == []


def test_password_reset_emails_to_one_address_are_limited(client, clock):
    UserFactory(username="casey", email="casey@example.org")
    for n in range(7):
        assert reset(client, "casey@example.org", address=f"192.0.2.{n}").status_code == 302
    assert len(mail.outbox) == 5
