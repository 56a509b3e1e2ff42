"""Invite a partner from the command line, as the admin's action on Organisation does.

    manage.py invite_partner --email a@b.scot --organisation cosla [--name "First Last"]

Creates (or reuses) the account, makes it the organisation's partner and emails a link to
choose a password. Refuses an address that is a partner elsewhere or a staff or editor account.
"""

from django.core.management.base import BaseCommand, CommandError

from organisations.models import Organisation
from partners.invitation_forms import PartnerInviteForm
from partners.invitations import InviteRefused, partner_invite


class Command(BaseCommand):
    help = "Invite a partner: an account for one organisation and an email to choose a password."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the partner's email address")
        parser.add_argument(
            "--organisation", required=True, help="the organisation's slug (as in its address)"
        )
        parser.add_argument("--name", default="", help='their full name, e.g. "First Last"')

    def handle(self, *args, **options):
        form = PartnerInviteForm({"email": options["email"], "name": options["name"]})
        if not form.is_valid():
            problems = "; ".join(m for messages in form.errors.values() for m in messages)
            raise CommandError(problems)
        slug = options["organisation"].strip()
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(
                f"There is no organisation “{slug}”: use its slug, as in /organisations/<slug>/."
            )
        try:
            invitation = partner_invite(
                email=form.cleaned_data["email"],
                organisation=organisation,
                name=form.cleaned_data["name"],
            )
        except InviteRefused as exc:
            raise CommandError(str(exc)) from exc
        user = invitation.user
        account = "Created the account" if invitation.created else "Reused the account"
        self.stdout.write(
            self.style.SUCCESS(
                f"{account} {user.get_username()} as a partner for {organisation.name} and "
                f"emailed {user.email} a link to choose a password."
            )
        )
