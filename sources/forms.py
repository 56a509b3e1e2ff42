"""The consultation response form: one answer box per question of the consultation."""

from django import forms

from sources.models import ConsultationQuestion, RespondentType

ANSWER_MAX_LENGTH = 10_000
HONEYPOT_FIELD = "website"


class ConsultationResponseForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200, required=False)
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="If you are responding for an organisation.",
    )
    respondent_type = forms.ChoiceField(
        label="Which of these best describes you?",
        choices=RespondentType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which of these best describes you"},
    )
    consent_to_publish = forms.BooleanField(
        label=(
            "I agree that my answers may be published on this site. My name and organisation "
            "will not be published."
        ),
        required=False,
    )
    # Hidden from people (CSS and aria) but filled in by bots; see views.consultation_respond.
    website = forms.CharField(label="Leave this field empty", required=False)

    def __init__(self, *args, questions: list[ConsultationQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.field_name] = forms.CharField(
                label=str(question),
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        self.fields[HONEYPOT_FIELD].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

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
