"""Forms for partners' progress updates and for editors declining one."""

from django import forms
from django.core.validators import URLValidator

from milestones.models import Status
from routemap.forms import DesignSystemForm


class WebAddressField(forms.URLField):
    """A URL that a browser opens as a page: http or https only (no javascript:, ftp:...)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


# A partner's update reports a status: "No update yet" is what shows while nobody has.
REPORTED_STATUSES = [(value, label) for value, label in Status.choices if value != Status.NO_UPDATE]


class ProgressUpdateForm(DesignSystemForm):
    """A partner's update, new or edited. `noun` is what it is about ("milestone" or
    "commitment"), for the hints and messages."""

    proposed_status = forms.ChoiceField(
        choices=REPORTED_STATUSES,
        widget=forms.RadioSelect,
        label="Status",
        help_text="Where this milestone is now, as your organisation sees it.",
        error_messages={
            "required": "Choose the milestone's status.",
            "invalid_choice": "Choose a status from the list.",
        },
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What has happened",
        help_text="Shown to the public as the milestone's progress if an editor accepts it.",
        max_length=2000,
        error_messages={
            "required": "Enter what has happened on this milestone.",
            "max_length": "Keep the note to 2,000 characters or fewer.",
        },
    )
    evidence_url = WebAddressField(
        required=False,
        label="Link to evidence",
        help_text="A web page or document that shows the progress, starting https://",
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address starting http:// or https://"},
    )

    def __init__(self, *args, noun: str = "milestone", **kwargs):
        super().__init__(*args, **kwargs)
        self.noun = noun
        if noun != "milestone":
            status, note = self.fields["proposed_status"], self.fields["note"]
            status.help_text = f"Where this {noun} is now, as your organisation sees it."
            status.error_messages = {
                **status.error_messages,
                "required": f"Choose the {noun}'s status.",
            }
            note.help_text = (
                f"Shown to the public as the {noun}'s progress if an editor accepts it."
            )
            note.error_messages = {
                **note.error_messages,
                "required": f"Enter what has happened on this {noun}.",
            }

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(f"Enter what has happened on this {self.noun}.")
        return note


class DeclineForm(DesignSystemForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why is this update declined?",
        help_text="The partner organisation sees this reason.",
        max_length=2000,
        error_messages={"required": "Enter why the update is declined."},
    )
