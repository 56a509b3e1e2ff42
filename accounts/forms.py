"""The password-reset request form: the same work, one email, whether or not the address has
an account, so neither the page nor its timing tells anyone which addresses are registered."""

import logging

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from accounts.models import EmailKind
from core.forms import CleanTextMixin, DesignSystemForm, email_field, honeypot_field

logger = logging.getLogger(__name__)

SUBJECT = "registration/password_reset_subject.txt"  # the same for both emails
NO_ACCOUNT_EMAIL = "registration/password_reset_no_account_email.txt"


class PasswordResetRequestForm(CleanTextMixin, PasswordResetForm):
    email = email_field()
    website = honeypot_field()  # see accounts.views.password_reset

    def save(self, *, request, **kwargs) -> None:
        """A reset link to each account with this address or, when there is none, an email
        saying so: one send either way."""
        email = self.cleaned_data["email"]
        if any(True for _ in self.get_users(email)):
            super().save(request=request, **kwargs)
            return
        context = {
            "email": email,
            "protocol": "https" if request.is_secure() else "http",
            "domain": request.get_host(),
        }
        subject = "".join(render_to_string(SUBJECT, context).splitlines())
        message = EmailMessage(
            subject=subject,
            body=render_to_string(NO_ACCOUNT_EMAIL, context),
            to=[email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        try:
            message.send()
        except Exception:
            logger.exception("Failed to send the no-account password reset email")


class EmailPreferenceForm(DesignSystemForm):
    """Checkboxes for the kinds of email this person can get (`kinds`); the others are left
    out, and left as they are."""

    def __init__(self, *args, kinds: list[EmailKind], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            field = forms.BooleanField(required=False, label=kind.label, help_text=kind.hint)
            field.widget.attrs["class"] = "ds_checkbox__input"
            self.fields[kind.field] = field


class SignInForm(CleanTextMixin, AuthenticationForm):
    """Django's sign-in form in the design system's style, saying what the username is for
    people invited as partners."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "ds_input"
        self.fields["username"].help_text = (
            "If you were invited by email, your username is in the invitation: usually your "
            "email address."
        )
