"""Forms for partners' progress updates and for editors declining one."""

from django import forms
from django.core.validators import URLValidator

from core.forms import DesignSystemForm
from milestones.models import Status


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

    @classmethod
    def for_update(cls, update, data=None):
        """Prefixed like AcceptForm, so a card's two forms and every card's differ."""
        return cls(data, prefix=f"update-{update.pk}")


class AcceptForm(DesignSystemForm):
    """What an editor puts on the milestone or commitment when accepting an update: the
    partner's note as proposed (credited), or their edit of it. `revision` is that of the
    item as the editor saw it beside the update, so a note someone saved since is never
    replaced unseen (partners.services.progress_update_accept)."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Progress note for the draft",
        help_text="The partner's note, credited to them. Edit it if needed: it replaces the "
        "current note in the draft.",
        max_length=4000,
        error_messages={
            "required": "Enter the progress note to put in the draft.",
            "max_length": "Keep the note to 4,000 characters or fewer.",
        },
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Enter the progress note to put in the draft.")
        return note

    @classmethod
    def for_update(cls, update, data=None, *, revision: int | None = None):
        """The form of one update's card: fields prefixed with the update's id, so every card
        on the queue page has its own."""
        return cls(
            data,
            prefix=f"update-{update.pk}",
            initial={"note": update.credited_note(), "revision": revision},
        )
