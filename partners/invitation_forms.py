"""The form behind inviting a partner, in the admin and from the command line alike."""

from django import forms

from core.forms import DesignSystemForm, email_field


class PartnerInviteForm(DesignSystemForm):
    email = email_field(help_text="The invitation, with a link to choose a password, goes here.")
    name = forms.CharField(
        label="Full name (optional)",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter the partner's email address"

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())
