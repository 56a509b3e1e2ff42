"""Email subscriptions: double opt-in, one-click unsubscribe, and messages on publish."""

import datetime
import io
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core import clock
from milestones.models import Status, day_in_words
from publishing.services import edition_publish
from routemap.models import Edition
from subscriptions.models import Subscription
from tests.factories import (
    MilestoneOrganisationFactory,
    OrganisationFactory,
    PendingSubscriptionFactory,
    RouteMapFactory,
    SubscriptionFactory,
    build_route_map,
    draft_copy,
)
from tests.helpers import subscription_link

pytestmark = pytest.mark.django_db


def subscribe(client, email="reader@example.org", target=None, route_map=None):
    target = target or f"route-map:{route_map.slug}"
    return client.post("/subscriptions/new/", {"email": email, "target": target})


# Subscribing


def test_subscribe_page_preselects_what_to_follow(client):
    route_map = RouteMapFactory(title="Where children live")
    response = client.get(f"/subscriptions/new/?route_map={route_map.slug}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="route-map:{route_map.slug}" selected>' in html
    assert "the Where children live route map is published" in html


def test_subscribing_sends_a_confirmation_link_and_nothing_else(client):
    route_map = RouteMapFactory(title="Where children live")

    response = subscribe(client, email="Reader@Example.org", route_map=route_map)

    assert response.status_code == 302
    assert response["Location"] == "/subscriptions/new/sent/"
    subscription = Subscription.objects.get()
    assert subscription.email == "reader@example.org"
    assert subscription.route_map == route_map
    assert not subscription.is_confirmed
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert message.subject == "Confirm your email updates about Where children live"
    token = subscription_link(message, "confirm").split("/")[3]
    assert token not in subscription.confirmation_token_hash  # only the hash is stored
    unsubscribe = subscription_link(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Check your email" in client.get(response["Location"]).content.decode()


def test_bad_email_shows_an_error_summary_and_keeps_what_was_typed(client):
    route_map = RouteMapFactory()
    response = subscribe(client, email="not an address", route_map=route_map)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="ds_error-summary"' in html
    assert 'class="ds_input ds_input--error"' in html
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert 'value="not an address"' in html
    assert f'<option value="route-map:{route_map.slug}" selected>' in html
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_missing_or_unknown_target_is_an_error(client):
    for target in ["", "route-map:no-such-map", "nonsense"]:
        response = client.post(
            "/subscriptions/new/", {"email": "reader@example.org", "target": target}
        )
        assert response.status_code == 400
        assert "Choose a route map or an organisation" in response.content.decode()
    assert not Subscription.objects.exists()


def test_subscribing_to_an_organisation(client):
    organisation = OrganisationFactory(name="Care Inspectorate")
    response = subscribe(client, target=f"organisation:{organisation.slug}")
    assert response.status_code == 302
    assert Subscription.objects.get().organisation == organisation
    assert "Care Inspectorate" in mail.outbox[0].subject


def test_asking_again_resends_the_link_at_most_once_an_hour(client):
    route_map = RouteMapFactory()
    first = subscribe(client, route_map=route_map)
    second = subscribe(client, email="READER@example.org", route_map=route_map)

    assert len(mail.outbox) == 1
    assert Subscription.objects.count() == 1
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])

    Subscription.objects.update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(hours=1, minutes=1)
    )
    subscribe(client, route_map=route_map)

    assert len(mail.outbox) == 2
    # The new link replaces the old one.
    assert client.get(subscription_link(mail.outbox[0], "confirm")).status_code == 404
    assert client.get(subscription_link(mail.outbox[1], "confirm")).status_code == 200


def test_response_does_not_reveal_an_existing_subscription(client):
    route_map = RouteMapFactory()
    SubscriptionFactory(email="known@example.org", route_map=route_map)

    known = subscribe(client, email="known@example.org", route_map=route_map)
    unknown = subscribe(client, email="new@example.org", route_map=route_map)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def test_expired_pending_subscriptions_are_forgotten(client):
    stale = PendingSubscriptionFactory(
        confirmation_sent_at=timezone.now() - datetime.timedelta(days=8)
    )
    subscribe(client, route_map=RouteMapFactory())
    assert not Subscription.objects.filter(pk=stale.pk).exists()


def test_failure_to_send_the_confirmation_is_not_an_error_page(client, caplog):
    route_map = RouteMapFactory()
    with mock.patch.object(EmailBackend, "send_messages", side_effect=smtplib.SMTPException):
        response = subscribe(client, route_map=route_map)
    assert response.status_code == 302
    assert "Could not send email" in caplog.text
    # Trying again straight away sends a new link.
    subscribe(client, route_map=route_map)
    assert len(mail.outbox) == 1


# Confirming


def test_confirming_needs_the_button_then_says_what_they_will_get(client):
    route_map = RouteMapFactory(title="Where children live")
    subscribe(client, route_map=route_map)
    confirm = subscription_link(mail.outbox[0], "confirm")

    page = client.get(confirm)
    assert page.status_code == 200
    assert "Confirm your email updates" in page.content.decode()
    assert not Subscription.objects.get().is_confirmed  # opening the link changes nothing

    done = client.post(confirm)
    html = done.content.decode()
    assert done.status_code == 200
    assert "Email updates confirmed" in html
    assert "each time the" in html and "Where children live" in html
    assert Subscription.objects.get().is_confirmed


def test_a_confirmation_link_works_once(client):
    subscribe(client, route_map=RouteMapFactory())
    confirm = subscription_link(mail.outbox[0], "confirm")
    assert client.post(confirm).status_code == 200

    for method in (client.get, client.post):
        again = method(confirm)
        assert again.status_code == 404
        assert "This link does not work" in again.content.decode()


def test_invalid_and_expired_confirmation_links_get_a_friendly_page(client):
    assert client.get("/subscriptions/confirm/not-a-real-token/").status_code == 404
    assert client.post("/subscriptions/confirm/not-a-real-token/").status_code == 404

    subscribe(client, route_map=RouteMapFactory())
    confirm = subscription_link(mail.outbox[0], "confirm")
    Subscription.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(days=8))
    expired = client.post(confirm)
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert not Subscription.objects.get().is_confirmed


# Unsubscribing


def test_unsubscribe_link_asks_then_deletes_the_subscription(client):
    subscription = SubscriptionFactory()
    url = f"/subscriptions/unsubscribe/{subscription.unsubscribe_token()}/"

    page = client.get(url)
    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()

    done = client.post(url)
    assert done.status_code == 200
    assert "You have unsubscribed" in done.content.decode()
    assert not Subscription.objects.filter(pk=subscription.pk).exists()

    again = client.get(url)
    assert again.status_code == 410
    assert "Already unsubscribed" in again.content.decode()


def test_one_click_unsubscribe_works_without_a_csrf_token():
    subscription = SubscriptionFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/subscriptions/unsubscribe/{subscription.unsubscribe_token()}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_tampered_unsubscribe_link_gets_a_friendly_page(client):
    subscription = SubscriptionFactory()
    token = subscription.unsubscribe_token()
    for bad in [token[:-2] + "xx", subscription.key.hex, "nonsense"]:
        response = client.post(f"/subscriptions/unsubscribe/{bad}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert Subscription.objects.exists()


# Messages when a route map is published


def publish(live, django_capture_on_commit_callbacks, *, status=Status.IN_PROGRESS, draft=None):
    with django_capture_on_commit_callbacks(execute=True):
        return edition_publish(
            edition=draft or draft_copy(live, milestone_status=status), note="Statuses updated."
        )


@pytest.fixture
def live():
    return build_route_map(outcomes=1, milestones_per_year=1, title="Where children live")


def test_route_map_subscribers_get_what_changed(live, django_capture_on_commit_callbacks):
    subscriber = SubscriptionFactory(route_map=live.route_map)
    PendingSubscriptionFactory(route_map=live.route_map)
    SubscriptionFactory()  # follows another route map

    publish(live, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == [subscriber.email]
    assert message.subject == "Where children live updated: version 2"
    assert "Statuses updated." in message.body
    today = day_in_words(clock.today())
    changed = (
        f"Status changed from No update yet to In progress, updated {today} by Promise Scotland"
    )
    assert message.body.count(changed) == 7
    assert f"http://127.0.0.1:8000/route-maps/{live.route_map.slug}/" in message.body
    assert f"/route-maps/{live.route_map.slug}/changes/" in message.body
    token = subscriber.unsubscribe_token()
    assert f"http://127.0.0.1:8000/subscriptions/unsubscribe/{token}/" in message.body
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/subscriptions/unsubscribe/{token}/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_organisation_subscribers_get_only_changes_to_their_milestones(
    django_capture_on_commit_callbacks,
):
    lead, other, bystander = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    live = build_route_map(outcomes=1, milestones_per_year=0, organisations=[other])
    outcome = live.outcomes.get()
    theirs = MilestoneOrganisationFactory(
        milestone__outcome=outcome, milestone__text="The lead's milestone", organisation=lead
    ).milestone
    MilestoneOrganisationFactory(
        milestone__outcome=outcome, milestone__text="Someone else's", organisation=other
    )
    draft = draft_copy(live)
    draft.outcomes.get().milestones.filter(key=theirs.key).update(
        status=Status.DELAYED, status_updated_on=datetime.date(2026, 11, 2)
    )
    following_lead = SubscriptionFactory(route_map=None, organisation=lead)
    SubscriptionFactory(route_map=None, organisation=other)  # nothing of theirs changed
    SubscriptionFactory(route_map=None, organisation=bystander)

    publish(live, django_capture_on_commit_callbacks, draft=draft)

    (message,) = mail.outbox
    assert message.to == [following_lead.email]
    assert "Changes to milestones" in message.body
    assert (
        "Status changed from No update yet to Delayed, updated 2 November 2026 by Promise "
        "Scotland: “The lead's milestone”" in message.body
    )
    assert "Someone else's" not in message.body


def test_following_a_route_map_and_an_organisation_gives_one_message(
    live, django_capture_on_commit_callbacks
):
    organisation = live.outcomes.get().milestones.first().organisation_links.get().organisation
    SubscriptionFactory(email="both@example.org", route_map=live.route_map)
    SubscriptionFactory(email="both@example.org", route_map=None, organisation=organisation)

    publish(live, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [["both@example.org"]]


def test_smtp_failure_never_undoes_a_publish(live, django_capture_on_commit_callbacks, caplog):
    SubscriptionFactory(email="broken@example.org", route_map=live.route_map)
    SubscriptionFactory(email="fine@example.org", route_map=live.route_map)
    real_send = EmailBackend.send_messages

    def flaky(self, messages):
        if messages[0].to == ["broken@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"broken@example.org": (550, b"No")})
        return real_send(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", flaky):
        edition = publish(live, django_capture_on_commit_callbacks)

    edition = Edition.objects.get(pk=edition.pk)
    assert edition.state == Edition.State.PUBLISHED
    assert Edition.objects.get(pk=live.pk).state == Edition.State.SUPERSEDED
    assert [m.to for m in mail.outbox] == [["fine@example.org"]]
    assert "Could not send email" in caplog.text


def test_a_mail_server_that_is_down_does_not_block_publishing(
    live, django_capture_on_commit_callbacks
):
    SubscriptionFactory(route_map=live.route_map)
    with mock.patch.object(EmailBackend, "send_messages", side_effect=ConnectionRefusedError):
        edition = publish(live, django_capture_on_commit_callbacks)
    assert Edition.objects.get(pk=edition.pk).state == Edition.State.PUBLISHED
    assert mail.outbox == []


def test_nothing_is_sent_for_a_publish_that_rolls_back(live, django_capture_on_commit_callbacks):
    SubscriptionFactory(route_map=live.route_map)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        edition_publish(edition=draft_copy(live), note="Never committed")
    # The signal waits for the commit; without one, nobody is told.
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_purge_command_deletes_only_expired_pending_subscriptions():
    old = timezone.now() - datetime.timedelta(days=8)
    expired = PendingSubscriptionFactory(confirmation_sent_at=old)
    recent = PendingSubscriptionFactory(confirmation_sent_at=timezone.now())
    confirmed = SubscriptionFactory(confirmation_sent_at=old)
    out = io.StringIO()

    call_command("purge_pending_subscriptions", stdout=out)

    assert set(Subscription.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk}
    assert not Subscription.objects.filter(pk=expired.pk).exists()
    assert "Deleted 1 expired" in out.getvalue()
