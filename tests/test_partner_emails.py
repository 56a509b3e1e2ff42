"""Partners are emailed what happened to their progress updates (accepted, declined, made
public); editors get a daily list of updates to review; every such email turns off in one
click, and signed-in people choose them on their email settings page."""

import datetime
import logging
import re
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test import Client

from accounts.models import (
    REVIEW_DECISIONS,
    REVIEW_DIGEST,
    EmailPreference,
    unsubscribe_token,
)
from accounts.roles import EDITORS
from core import clock as site_clock
from milestones.models import Milestone
from partners import services
from partners.models import ProgressUpdate, ReviewDigest
from partners.signals import update_reviewed
from publishing.services import edition_publish
from routemap.models import Edition
from sources import services as sources
from tests.factories import (
    CommitmentFactory,
    EditorFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    UserFactory,
    build_route_map,
    draft_copy,
    partner_for,
)
from tests.test_html_validity import CANARY, CANARY_HTML, vnu, vnu_errors  # noqa: F401
from tests.test_partners import accept as accept_form

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
REASON = "The inspection report you link to is from 2023.\n\nPlease send the 2026 one."


@pytest.fixture
def live(lead):
    return build_route_map(outcomes=1, organisations=[lead], title="Where children live")


@pytest.fixture
def milestone(live):
    return Milestone.objects.filter(outcome__edition=live, year=2027).get()


@pytest.fixture
def partner(lead):
    return partner_for(lead, username="casey", email="casey@example.org")


@pytest.fixture
def publisher():
    return PublisherFactory(username="pat")


def sent_update(milestone, partner, **kwargs):
    return ProgressUpdateFactory(
        milestone=milestone,
        organisation=partner.partner_profile.organisation,
        submitted_by=partner,
        note="Inspections of every children's home started in October.",
        **kwargs,
    )


def commitment_update(commitment, partner, **kwargs):
    return ProgressUpdateFactory(
        commitment=commitment,
        route_map=None,
        milestone_key=None,
        milestone_text=commitment.text,
        milestone_year=None,
        organisation=partner.partner_profile.organisation,
        submitted_by=partner,
        **kwargs,
    )


def accept(update, user, capture):
    with capture(execute=True):
        services.progress_update_accept(update=update, user=user)
    return ProgressUpdate.objects.get(pk=update.pk)


def publish(live, user, capture):
    draft = Edition.objects.get(route_map=live.route_map, state=Edition.State.DRAFT)
    with capture(execute=True):
        return edition_publish(edition=draft, user=user, note="Partner updates.")


def assert_unsubscribe_headers(message, user, kind):
    url = f"{SITE}/accounts/emails/unsubscribe/{unsubscribe_token(user, kind)}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body


# ------------------------------------------------------------------------ review decisions


def test_an_accepted_update_tells_the_partner_what_now_stands(
    milestone, partner, publisher, django_capture_on_commit_callbacks
):
    update = accept(sent_update(milestone, partner), publisher, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == ["casey@example.org"]
    assert message.subject == "Accepted: your progress update on Where children live, 2027"
    stands = update.accepted_note or update.credited_note()
    assert stands in message.body
    assert "Status: In progress" in message.body
    assert "goes public when the route map is next published" in message.body
    assert f"{SITE}/my-organisation/#update-{update.pk}" in message.body
    assert "changed the wording" not in message.body
    assert_unsubscribe_headers(message, partner, REVIEW_DECISIONS)


def test_an_edited_note_is_quoted_whole_beside_the_partners_words(milestone, partner):
    edited = "Inspections of all 40 homes began in October 2026.\n\n- 12 done\n- 28 to go"
    update = sent_update(
        milestone, partner, state=ProgressUpdate.State.ACCEPTED, accepted_note=edited
    )
    update_reviewed.send(ProgressUpdate, update=update)

    (message,) = mail.outbox
    assert edited in message.body
    assert "The editor changed the wording of your note. You wrote:" in message.body
    assert update.note in message.body


def test_a_declined_update_gives_the_reason_whole(
    milestone, partner, publisher, django_capture_on_commit_callbacks
):
    update = sent_update(milestone, partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_update_decline(update=update, user=publisher, reason=REASON)

    (message,) = mail.outbox
    assert message.to == ["casey@example.org"]
    assert message.subject == "Declined: your progress update on Where children live, 2027"
    assert REASON in message.body
    assert "Nothing on the milestone was changed" in message.body
    assert f"{SITE}/my-organisation/#update-{update.pk}" in message.body
    assert_unsubscribe_headers(message, partner, REVIEW_DECISIONS)


def test_a_partner_without_an_address_or_who_turned_it_off_is_not_emailed(
    milestone, lead, publisher, django_capture_on_commit_callbacks, caplog
):
    no_address = partner_for(lead, email="")
    turned_off = partner_for(lead)
    EmailPreference.turn_off(turned_off, REVIEW_DECISIONS)
    gone = sent_update(milestone, partner_for(lead))
    gone.submitted_by.delete()

    with caplog.at_level(logging.INFO, logger="partners.emails"):
        for user in (no_address, turned_off):
            accept(sent_update(milestone, user), publisher, django_capture_on_commit_callbacks)
        accept(
            ProgressUpdate.objects.get(pk=gone.pk), publisher, django_capture_on_commit_callbacks
        )

    assert mail.outbox == []
    assert "has no address" in caplog.text
    assert "no longer registered" in caplog.text


def test_a_failing_mail_server_never_undoes_a_review(
    milestone, partner, publisher, django_capture_on_commit_callbacks, caplog
):
    with mock.patch.object(EmailBackend, "send_messages", side_effect=smtplib.SMTPException):
        update = accept(
            sent_update(milestone, partner), publisher, django_capture_on_commit_callbacks
        )
        declined = sent_update(milestone, partner)
        with django_capture_on_commit_callbacks(execute=True):
            services.progress_update_decline(update=declined, user=publisher, reason=REASON)

    assert update.state == ProgressUpdate.State.ACCEPTED
    assert ProgressUpdate.objects.get(pk=declined.pk).state == ProgressUpdate.State.DECLINED
    assert mail.outbox == []
    assert "Could not send email" in caplog.text


def test_the_review_page_works_when_the_mail_server_is_down(milestone, partner, publisher):
    update = sent_update(milestone, partner)
    client = Client()
    client.force_login(publisher)
    with mock.patch.object(EmailBackend, "send_messages", side_effect=ConnectionRefusedError):
        response = accept_form(client, update)
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(pk=update.pk).state == ProgressUpdate.State.ACCEPTED


# --------------------------------------------------------------------------------- published


def test_publishing_stamps_and_announces_only_updates_accepted_before_it(
    live, milestone, partner, publisher, clock, django_capture_on_commit_callbacks
):
    clock.move_to(datetime.date(2026, 11, 2))
    first = accept(sent_update(milestone, partner), publisher, django_capture_on_commit_callbacks)
    other = Milestone.objects.filter(outcome__edition=live, year=2028).get()
    second = accept(sent_update(other, partner), publisher, django_capture_on_commit_callbacks)
    pending = sent_update(milestone, partner)
    declined = sent_update(milestone, partner, state=ProgressUpdate.State.DECLINED)
    # Accepted after the publish (reviewed later than it): it waits for the next one.
    later = sent_update(
        milestone,
        partner,
        state=ProgressUpdate.State.ACCEPTED,
        reviewed_at=site_clock.now() + datetime.timedelta(days=1),
    )
    mail.outbox.clear()

    clock.shift(datetime.timedelta(hours=1))
    edition = publish(live, publisher, django_capture_on_commit_callbacks)

    stamped = {u.pk: u.published_at for u in ProgressUpdate.objects.all()}
    assert stamped[first.pk] == stamped[second.pk] == edition.published_at
    assert stamped[pending.pk] is stamped[declined.pk] is stamped[later.pk] is None

    (message,) = mail.outbox
    assert message.to == ["casey@example.org"]
    assert message.subject == "Now public: 2 of your progress updates"
    for item in (milestone, other):
        public = Milestone.objects.published().get(key=item.key)
        assert f"See it: {SITE}{public.get_absolute_url()}" in message.body
    assert_unsubscribe_headers(message, partner, REVIEW_DECISIONS)

    # The next publish announces nothing already public.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        edition_publish(edition=draft_copy(edition), user=publisher, note="Again")
    assert mail.outbox == []
    assert ProgressUpdate.objects.get(pk=first.pk).published_at == edition.published_at


def test_each_partner_gets_one_email_about_their_own_updates(
    live, milestone, lead, partner, publisher, django_capture_on_commit_callbacks
):
    colleague = partner_for(lead, email="colleague@example.org")
    accept(sent_update(milestone, partner), publisher, django_capture_on_commit_callbacks)
    accept(sent_update(milestone, colleague), publisher, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    publish(live, publisher, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == ["casey@example.org", "colleague@example.org"]
    assert all(
        m.subject == "Now public: your progress update on Where children live, 2027"
        for m in mail.outbox
    )


def test_a_failing_mail_server_never_undoes_a_publish(
    live, milestone, partner, publisher, django_capture_on_commit_callbacks
):
    update = accept(sent_update(milestone, partner), publisher, django_capture_on_commit_callbacks)
    with mock.patch.object(EmailBackend, "send_messages", side_effect=ConnectionRefusedError):
        edition = publish(live, publisher, django_capture_on_commit_callbacks)
    assert Edition.objects.get(pk=edition.pk).state == Edition.State.PUBLISHED
    assert ProgressUpdate.objects.get(pk=update.pk).published_at == edition.published_at


def test_publishing_a_source_document_makes_its_commitment_updates_public(
    partner, publisher, clock, django_capture_on_commit_callbacks
):
    clock.move_to(datetime.date(2026, 11, 2))
    commitment = CommitmentFactory(reference="8.2", document__title="Plan 21-24 response")
    reviewed = site_clock.now() - datetime.timedelta(hours=1)
    accepted = commitment_update(
        commitment, partner, state=ProgressUpdate.State.ACCEPTED, reviewed_at=reviewed
    )
    pending = commitment_update(commitment, partner)
    elsewhere = commitment_update(
        CommitmentFactory(), partner, state=ProgressUpdate.State.ACCEPTED, reviewed_at=reviewed
    )
    document = commitment.document
    sources.document_draft_update(document=document, user=publisher, values={"summary": "New"})

    with django_capture_on_commit_callbacks(execute=True):
        sources.document_publish(document=document, user=publisher, note="Progress")

    published_at = ProgressUpdate.objects.get(pk=accepted.pk).published_at
    assert published_at is not None and reviewed < published_at <= site_clock.now()
    assert ProgressUpdate.objects.get(pk=pending.pk).published_at is None
    assert ProgressUpdate.objects.get(pk=elsewhere.pk).published_at is None
    (message,) = mail.outbox
    assert message.subject == (
        "Now public: your progress update on Plan 21-24 response, commitment 8.2"
    )
    assert f"See it: {SITE}{commitment.get_absolute_url()}" in message.body


def test_a_rolled_back_document_publish_tells_nobody(
    partner, publisher, django_capture_on_commit_callbacks
):
    commitment = CommitmentFactory()
    update = commitment_update(
        commitment,
        partner,
        state=ProgressUpdate.State.ACCEPTED,
        reviewed_at=site_clock.now() - datetime.timedelta(hours=1),
    )
    document = commitment.document
    sources.document_draft_update(document=document, user=publisher, values={"summary": "New"})
    with django_capture_on_commit_callbacks(execute=False):
        sources.document_publish(document=document, user=publisher, note="Never committed")
    assert ProgressUpdate.objects.get(pk=update.pk).published_at is None
    assert mail.outbox == []


# ------------------------------------------------------------------------------ the digest


@pytest.fixture
def other_route_map(lead):
    return build_route_map(outcomes=1, organisations=[lead], title="Aye")


def digest():
    call_command("send_review_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_each_editor_gets_the_updates_they_may_review_grouped(
    live, milestone, other_route_map, partner, clock
):
    clock.move_to(datetime.date(2026, 11, 2))
    assigned = EditorFactory(username="ed", route_maps=[live.route_map])
    everything = PublisherFactory(username="pat")
    EditorFactory(username="nobody")  # no assignment: nothing to review, no email
    theirs = sent_update(milestone, partner)
    other_milestone = Milestone.objects.filter(outcome__edition=other_route_map).first()
    elsewhere = sent_update(other_milestone, partner)
    commitment = CommitmentFactory(document__title="Plan 21-24 response")
    on_commitment = commitment_update(commitment, partner)
    sent_update(milestone, partner, state=ProgressUpdate.State.DECLINED)  # not waiting

    digest()

    by_user = {m.to[0]: m for m in mail.outbox}
    assert set(by_user) == {"ed@example.org", "pat@example.org"}
    mine = by_user["ed@example.org"]
    assert mine.subject == "1 partner update to review"
    assert f"{SITE}/edit/updates/#update-{theirs.pk}" in mine.body
    assert f"#update-{elsewhere.pk}" not in mine.body
    assert f"#update-{on_commitment.pk}" not in mine.body
    assert f"{SITE}/edit/updates/" in mine.body
    assert_unsubscribe_headers(mine, assigned, REVIEW_DIGEST)

    all_of_them = by_user["pat@example.org"].body
    assert by_user["pat@example.org"].subject == "3 partner updates to review"
    # Grouped by route map or document, in order of title.
    assert (
        all_of_them.index("\nAye\n")
        < all_of_them.index("\nPlan 21-24 response\n")
        < all_of_them.index("\nWhere children live\n")
    )
    assert_unsubscribe_headers(by_user["pat@example.org"], everything, REVIEW_DIGEST)


def test_the_next_digest_lists_only_what_is_new_and_nothing_new_sends_nothing(
    milestone, partner, clock
):
    clock.move_to(datetime.date(2026, 11, 2), tick=False)
    editor = PublisherFactory(username="pat")
    first = sent_update(milestone, partner)
    digest()
    assert len(mail.outbox) == 1
    assert ReviewDigest.objects.get(user=editor).last_sent_at == site_clock.now()

    clock.move_to(datetime.date(2026, 11, 3), tick=False)
    mail.outbox.clear()
    digest()
    assert mail.outbox == []  # the first update is still waiting, but it is not new

    second = sent_update(milestone, partner)
    clock.move_to(datetime.date(2026, 11, 4), tick=False)
    digest()
    (message,) = mail.outbox
    assert f"#update-{second.pk}" in message.body
    assert f"#update-{first.pk}" not in message.body
    assert "since your last list on 2 November 2026" in message.body


def test_a_digest_that_failed_to_send_is_sent_again_next_time(milestone, partner, clock):
    clock.move_to(datetime.date(2026, 11, 2))
    editor = PublisherFactory(username="pat")
    update = sent_update(milestone, partner)
    with mock.patch.object(EmailBackend, "send_messages", side_effect=smtplib.SMTPException):
        digest()
    assert not ReviewDigest.objects.filter(user=editor).exists()

    clock.move_to(datetime.date(2026, 11, 3))
    digest()
    (message,) = mail.outbox
    assert f"#update-{update.pk}" in message.body


def test_editors_who_turned_the_digest_off_or_have_no_address_get_none(milestone, partner):
    EmailPreference.turn_off(PublisherFactory(), REVIEW_DIGEST)
    PublisherFactory(email="")
    UserFactory(roles=[EDITORS], is_active=False, all_route_maps=True)
    sent_update(milestone, partner)
    digest()
    assert mail.outbox == []


# ------------------------------------------------------------------------ unsubscribing


def unsubscribe_url(user, kind):
    return f"/accounts/emails/unsubscribe/{unsubscribe_token(user, kind)}/"


def test_the_unsubscribe_link_asks_then_turns_off_exactly_that_kind(
    client, partner, django_assert_max_num_queries
):
    url = unsubscribe_url(partner, REVIEW_DECISIONS)

    with django_assert_max_num_queries(3):
        page = client.get(url)
    assert page.status_code == 200
    assert "Stop emails about decisions on your progress updates" in page.content.decode()
    assert EmailPreference.wants(partner, REVIEW_DECISIONS)  # a mail scanner's GET does nothing

    with django_assert_max_num_queries(8):
        done = client.post(url)
    assert done.status_code == 200
    text = done.content.decode()
    assert "Emails about decisions on your progress updates are off" in text
    assert "/accounts/emails/" in text  # how to turn them on again
    assert not EmailPreference.wants(partner, REVIEW_DECISIONS)
    assert EmailPreference.wants(partner, REVIEW_DIGEST)


def test_one_click_unsubscribe_works_without_a_csrf_token(publisher):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(publisher, REVIEW_DIGEST),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not EmailPreference.wants(publisher, REVIEW_DIGEST)
    assert EmailPreference.wants(publisher, REVIEW_DECISIONS)


def test_a_tampered_or_stale_link_gets_a_friendly_page(client, partner):
    token = unsubscribe_token(partner, REVIEW_DECISIONS)
    other = UserFactory()
    forged = unsubscribe_token(other, REVIEW_DECISIONS).split(":")[0] + ":" + token.split(":")[1]
    gone = UserFactory()
    stale = unsubscribe_token(gone, REVIEW_DIGEST)
    gone.delete()
    for bad in [token[:-2] + "xx", forged, "nonsense", "a:b:c", stale]:
        for response in (
            client.get(f"/accounts/emails/unsubscribe/{bad}/"),
            client.post(f"/accounts/emails/unsubscribe/{bad}/"),
        ):
            assert response.status_code == 404, bad
            assert "This link does not work" in response.content.decode()
    assert EmailPreference.wants(partner, REVIEW_DECISIONS)
    assert EmailPreference.wants(other, REVIEW_DECISIONS)


# ---------------------------------------------------------------------- the settings page

SETTINGS = "/accounts/emails/"


def test_email_settings_need_a_partner_or_an_editor(client):
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    client.force_login(UserFactory())
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, {}).status_code == 403


def test_a_partner_turns_decisions_off_and_on(client, partner, django_assert_max_num_queries):
    client.force_login(partner)
    with django_assert_max_num_queries(8):
        page = client.get(SETTINGS)
    text = page.content.decode()
    assert "Decisions on my progress updates" in text
    assert "Daily list of partner updates to review" not in text
    assert re.search(r'<input type="checkbox" name="review_decisions"[^>]* checked>', text)

    response = client.post(SETTINGS, {}, follow=True)  # every box unticked
    assert "Your email settings are saved." in response.content.decode()
    assert not EmailPreference.wants(partner, REVIEW_DECISIONS)
    assert EmailPreference.wants(partner, REVIEW_DIGEST)  # not theirs to change here

    client.post(SETTINGS, {"review_decisions": "on"})
    assert EmailPreference.wants(partner, REVIEW_DECISIONS)


def test_an_editor_sees_the_digest_setting_only(client):
    editor = EditorFactory()
    client.force_login(editor)
    text = client.get(SETTINGS).content.decode()
    assert "Daily list of partner updates to review" in text
    assert "Decisions on my progress updates" not in text
    client.post(SETTINGS, {})
    assert not EmailPreference.wants(editor, REVIEW_DIGEST)


def test_settings_are_linked_from_my_organisation_and_the_editing_dashboard(client, partner, live):
    client.force_login(partner)
    assert f'href="{SETTINGS}"' in client.get("/my-organisation/").content.decode()
    client.force_login(PublisherFactory())
    assert f'href="{SETTINGS}"' in client.get("/edit/").content.decode()


def test_the_new_pages_are_valid_html(vnu, client, partner, tmp_path):  # noqa: F811
    token = unsubscribe_token(partner, REVIEW_DECISIONS)
    pages = {
        "unsubscribe": client.get(f"/accounts/emails/unsubscribe/{token}/"),
        "unsubscribed": client.post(f"/accounts/emails/unsubscribe/{token}/"),
        "bad link": client.get("/accounts/emails/unsubscribe/nonsense/"),
    }
    client.force_login(partner)
    pages["settings (partner)"] = client.get(SETTINGS)
    pages["saved (partner)"] = client.post(SETTINGS, {}, follow=True)
    client.force_login(PublisherFactory())
    pages["settings (editor)"] = client.get(SETTINGS)
    html = {name: response.content.decode() for name, response in pages.items()}
    html[CANARY] = CANARY_HTML

    errors = vnu_errors(vnu, html, tmp_path)

    assert any(name == CANARY for name, _ in errors)
    assert [f"{name} {error}" for name, error in errors if name != CANARY] == []
