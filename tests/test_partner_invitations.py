"""Inviting a partner: one service behind the admin action and `manage.py invite_partner`;
the invited person chooses their own password from the emailed link."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.roles import EDITORS, MODERATORS, PARTNERS
from partners.invitations import InviteRefused, partner_invite
from partners.models import PartnerProfile
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    UserFactory,
    partner_for,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
CHANGELIST = "/admin/organisations/organisation/"


@pytest.fixture
def cosla():
    return OrganisationFactory(slug="cosla", name="COSLA")


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)


def test_a_new_partner_gets_an_account_and_chooses_their_password_from_the_email(client, cosla):
    invitation = partner_invite(
        email="Ann.Other@Example.scot", organisation=cosla, name="Ann Other"
    )
    user = invitation.user
    assert invitation.created
    assert (user.email, user.first_name, user.last_name) == (
        "Ann.Other@example.scot",
        "Ann",
        "Other",
    )
    assert not user.has_usable_password()
    assert user.partner_profile.organisation == cosla
    assert user.groups.filter(name=PARTNERS).exists()

    [message] = mail.outbox
    assert message.to == ["Ann.Other@example.scot"]
    assert message.subject == "You are invited to report progress for COSLA"
    assert f"Your username is {user.username}" in message.body
    path = link_in(message).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "Choose a new password" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a long new passphrase 42", "new_password2": "a long new passphrase 42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a long new passphrase 42")
    client.force_login(user)
    assert client.get("/my-organisation/").status_code == 200
    # The link works once.
    assert (
        "expired or has already been used" in client.get("/" + path, follow=True).content.decode()
    )


def test_an_account_with_no_role_is_reused_and_inviting_again_resends_the_link(cosla):
    existing = UserFactory(email="sam@example.org", first_name="")
    invitation = partner_invite(email="SAM@example.org", organisation=cosla, name="Sam Smith")
    assert not invitation.created
    assert invitation.user == existing
    existing.refresh_from_db()
    assert existing.get_full_name() == "Sam Smith"
    assert existing.has_usable_password()  # their own password is left alone
    again = partner_invite(email="sam@example.org", organisation=cosla)
    assert again.user == existing
    assert len(mail.outbox) == 2
    assert PartnerProfile.objects.filter(user=existing).count() == 1


@pytest.mark.parametrize(
    ("make_user", "message"),
    [
        (
            lambda: partner_for(OrganisationFactory(name="Kibble"), email="x@example.org"),
            "x@example.org is already a partner for Kibble",
        ),
        (
            lambda: UserFactory(email="x@example.org", is_staff=True),
            "belongs to a staff account",
        ),
        (
            lambda: EditorFactory(email="x@example.org"),
            f"belongs to an account with the role {EDITORS}",
        ),
        (
            lambda: UserFactory(email="x@example.org", roles=[MODERATORS]),
            f"belongs to an account with the role {MODERATORS}",
        ),
        (
            lambda: UserFactory(email="x@example.org", is_active=False),
            "belongs to a deactivated account",
        ),
    ],
    ids=["partner elsewhere", "staff", "editor", "moderator", "deactivated"],
)
def test_refuses_addresses_that_must_not_become_this_organisations_partner(
    cosla, make_user, message
):
    user = make_user()
    with pytest.raises(InviteRefused, match=message):
        partner_invite(email="x@example.org", organisation=cosla)
    assert not PartnerProfile.objects.filter(user=user, organisation=cosla).exists()
    assert mail.outbox == []


def test_a_failed_email_leaves_no_account(cosla, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    with pytest.raises(OSError):
        partner_invite(email="new@example.org", organisation=cosla)
    assert not User.objects.filter(email="new@example.org").exists()


def test_usernames_are_unique_and_valid_whatever_the_address(cosla):
    UserFactory(username="o_brien@example.org", email="someone-else@example.org")
    user = partner_invite(email="o'brien@example.org", organisation=cosla).user
    assert user.username == "o_brien@example.org-2"
    user.full_clean()


# ------------------------------------------------------------------------------ the command


def test_command_invites_a_partner(cosla, capsys):
    call_command(
        "invite_partner", "--email", "a@b.scot", "--organisation", "cosla", "--name", "A B"
    )
    assert "Created the account a@b.scot as a partner for COSLA" in capsys.readouterr().out
    assert User.objects.get(email="a@b.scot").partner_profile.organisation == cosla
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--email", "not an address", "--organisation", "cosla"], "Enter an email address"),
        (["--email", "a@b.scot", "--organisation", "nobody"], "There is no organisation “nobody”"),
        (["--email", "ed@example.org", "--organisation", "cosla"], "role Editors"),
    ],
)
def test_command_refuses_clearly(cosla, arguments, message):
    EditorFactory(email="ed@example.org")
    with pytest.raises(CommandError, match=message):
        call_command("invite_partner", *arguments)
    assert mail.outbox == []


# ------------------------------------------------------------------------------ the admin


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def action(organisations, **extra):
    return {
        "action": "invite_partner",
        "_selected_action": [o.pk for o in organisations],
        **extra,
    }


def test_the_admin_action_asks_for_the_address_then_invites(admin_client, cosla):
    response = admin_client.post(CHANGELIST, action([cosla]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Invite a partner for COSLA" in body
    assert 'name="email"' in body

    response = admin_client.post(
        CHANGELIST, action([cosla], invite="1", email="new@example.org", name="New Partner")
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.partner_profile.organisation == cosla
    assert user.get_full_name() == "New Partner"
    [message] = mail.outbox
    assert "has invited you to report progress for COSLA" in " ".join(message.body.split())
    page = admin_client.get(response["Location"]).content.decode()
    assert "Invited new@example.org as a partner for COSLA" in page


def test_the_admin_action_shows_refusals_and_bad_input_on_the_form(admin_client, cosla):
    EditorFactory(email="ed@example.org")
    response = admin_client.post(CHANGELIST, action([cosla], invite="1", email="ed@example.org"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "role Editors" in body
    assert 'value="ed@example.org"' in body  # what was typed is kept
    response = admin_client.post(CHANGELIST, action([cosla], invite="1", email="nope"))
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()
    assert mail.outbox == []


def test_the_admin_action_needs_exactly_one_organisation(admin_client, cosla):
    other = OrganisationFactory()
    response = admin_client.post(CHANGELIST, action([cosla, other]), follow=True)
    assert "Choose exactly one organisation" in response.content.decode()


def test_staff_without_permission_to_add_partners_cannot_invite(client, cosla):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    staff.user_permissions.add(Permission.objects.get(codename="change_organisation"))
    client.force_login(staff)
    response = client.post(
        CHANGELIST, action([cosla], invite="1", email="new@example.org"), follow=True
    )
    assert "You do not have permission to add partners." in response.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()
    assert reverse("admin:index")


def test_the_admin_lists_updates_on_milestones_and_commitments(admin_client):
    from tests.factories import CommitmentUpdateFactory, ProgressUpdateFactory

    on_milestone = ProgressUpdateFactory()
    on_commitment = CommitmentUpdateFactory()
    page = admin_client.get("/admin/partners/progressupdate/").content.decode()
    assert f"{on_milestone.route_map}, {on_milestone.milestone_year}" in page
    assert f"commitment {on_commitment.commitment.reference}" in page
