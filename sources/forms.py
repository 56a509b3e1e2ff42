"""The consultation response form: one answer box per question of the consultation."""

from django import forms

from core.forms import HONEYPOT_FIELD, CleanTextForm, honeypot_field
from sources.models import ConsultationQuestion, RespondentType

__all__ = ["HONEYPOT_FIELD", "ConsultationResponseForm"]

ANSWER_MAX_LENGTH = 10_000


class ConsultationResponseForm(CleanTextForm):
    name = forms.CharField(
        label="Your name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "ds_input", "autocomplete": "name"}),
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="If you are responding for an organisation.",
        widget=forms.TextInput(attrs={"class": "ds_input", "autocomplete": "organization"}),
    )
    respondent_type = forms.ChoiceField(
        label="Which of these best describes you?",
        choices=RespondentType.choices,
        widget=forms.RadioSelect(attrs={"class": "ds_radio__input"}),
        error_messages={"required": "Select which of these best describes you"},
    )
    consent_to_publish = forms.BooleanField(
        label=(
            "I agree that my answers may be published on this site. My name and organisation "
            "are never published."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "ds_checkbox__input"}),
    )
    website = honeypot_field()  # see views.consultation_respond

    def __init__(self, *args, questions: list[ConsultationQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.field_name] = forms.CharField(
                label=str(question),
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 6, "class": "ds_input"}),
            )
        self.fields["organisation"].widget.attrs["aria-describedby"] = "id_organisation_hint"
        for question in self.questions:
            if question.hint:
                widget = self.fields[question.field_name].widget
                widget.attrs["aria-describedby"] = f"id_{question.field_name}_hint"

    def full_clean(self):
        """Mark fields with errors for the design system and screen readers."""
        super().full_clean()
        for name in self.errors:
            if name not in self.fields or name == "respondent_type":
                continue  # the radios' fieldset points at its error in the template
            attrs = self.fields[name].widget.attrs
            described = f"{attrs.get('aria-describedby', '')} id_{name}_error".strip()
            attrs.update({"aria-describedby": described, "aria-invalid": "true"})
            if "ds_input" in attrs.get("class", ""):
                attrs["class"] = "ds_input ds_input--error"

    def clean(self):
        cleaned = super().clean()
        if self.questions and not any(
            (cleaned.get(q.field_name) or "").strip() for q in self.questions
        ):
            self.add_error(self.questions[0].field_name, "Answer at least one question")
        return cleaned

    def answers(self) -> dict[ConsultationQuestion, str]:
        return {q: self.cleaned_data.get(q.field_name, "") for q in self.questions}

    def question_fields(self):
        """(question, bound field) pairs, for the template."""
        return [(q, self[q.field_name]) for q in self.questions]
