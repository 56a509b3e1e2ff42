"""Shared form plumbing: control characters removed from everything typed, Scottish
Government Design System classes on every widget, and the honeypot field of the public forms."""

from django import forms
from django.http import HttpRequest

from core.text import clean_values

HONEYPOT_FIELD = "website"


def honeypot_field() -> forms.CharField:
    """A field people never see (templates/includes/honeypot.html hides it with CSS and
    aria-hidden) but form-filling bots do: a request that fills it is treated as a bot's."""
    return forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def filled_honeypot(request: HttpRequest) -> bool:
    return bool(request.POST.get(HONEYPOT_FIELD))


def email_field(help_text: str = "") -> forms.EmailField:
    """The email address field of the public forms, with the design system's messages."""
    return forms.EmailField(
        label="Email address",
        max_length=254,
        help_text=help_text,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address of 254 characters or fewer",
        },
        widget=forms.EmailInput(
            attrs={"class": "ds_input", "autocomplete": "email", "spellcheck": "false"}
        ),
    )


WIDGET_CLASSES = {
    "textarea": "ds_input",
    "select": "ds_select",
    "checkbox": "ds_checkbox__input",
    "checkboxselectmultiple": "ds_checkbox__input",
    "radioselect": "ds_radio__input",
}


def _cleaned_input(data):
    """A copy of submitted data (QueryDict or dict) with `clean_text` applied to each string."""
    if hasattr(data, "lists"):  # QueryDict, MultiValueDict: keep every value of a key
        cleaned = data.copy()
        for key, values in data.lists():
            cleaned.setlist(key, clean_values(values))
        return cleaned
    return clean_values(dict(data))


class CleanTextMixin:
    """Removes control characters (except tab and line breaks) from every submitted value and
    makes CRLF and CR line endings LF, before any field sees it: validation, `clean_<field>`
    methods, the stored value and a re-shown form all get the text that will be kept. One
    stored `\\x1b` would otherwise break every Atom feed quoting it. List it before the Form
    or ModelForm class it is mixed into."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = _cleaned_input(self.data)


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    """The form every admin page uses (`form = CleanTextModelForm` on each ModelAdmin and
    inline), so text entered in the admin is cleaned like text entered anywhere else."""


class CleanTextForm(CleanTextMixin, forms.Form):
    """A plain form with cleaned input, for forms that style their own widgets."""


def style_field(field: forms.Field) -> None:
    """Give a field's widget the design system's CSS class (hidden ones need none)."""
    if isinstance(field.widget, forms.HiddenInput):
        return
    widget_type = field.widget.__class__.__name__.lower().replace("widget", "")
    widget_type = {"checkboxinput": "checkbox"}.get(widget_type, widget_type)
    css = WIDGET_CLASSES.get(widget_type, "ds_input")
    field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + css).strip()


class DesignSystemForm(CleanTextForm):
    """Adds the design system's CSS classes; templates/includes/field.html does the rest.
    A field added after `__init__` is styled with `style_field`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_field(field)


class CompareForm(DesignSystemForm):
    """Choose two published versions of a route map to compare."""

    from_version = forms.TypedChoiceField(coerce=int, label="Compare version")
    to_version = forms.TypedChoiceField(coerce=int, label="with version")

    def __init__(self, *args, versions: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, f"Version {n}") for n in versions]
        for name in ("from_version", "to_version"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = "Choose a published version."
        if len(versions) > 1:
            # `versions` is newest first: offer what the latest version changed.
            self.fields["from_version"].initial = versions[1]
            self.fields["to_version"].initial = versions[0]

    def clean(self):
        data = super().clean()
        if data.get("from_version") and data.get("from_version") == data.get("to_version"):
            self.add_error("to_version", "Choose two different versions.")
        return data
