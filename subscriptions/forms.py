from django import forms

from core.forms import CleanTextForm, email_field, honeypot_field
from organisations.models import Organisation
from routemap.models import RouteMap

ROUTE_MAP, ORGANISATION = "route-map", "organisation"


class SubscriptionForm(CleanTextForm):
    email = email_field(
        help_text="We use it only to send these updates. Every email has a link to stop them."
    )
    target = forms.ChoiceField(
        label="What do you want updates about?",
        help_text=(
            "A route map: every time it is published. An organisation: when a published "
            "change touches one of its milestones."
        ),
        error_messages={
            "required": "Choose a route map or an organisation",
            "invalid_choice": "Choose a route map or an organisation from the list",
        },
        widget=forms.Select(attrs={"class": "ds_select"}),
    )
    website = honeypot_field()  # see views.subscription_new

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.route_maps = {rm.slug: rm for rm in RouteMap.objects.listed()}
        self.organisations = {o.slug: o for o in Organisation.objects.all()}
        self.fields["target"].choices = [
            ("", "Choose one"),
            ("Route maps", [(f"{ROUTE_MAP}:{s}", rm.title) for s, rm in self.route_maps.items()]),
            (
                "Organisations",
                [(f"{ORGANISATION}:{s}", o.name) for s, o in self.organisations.items()],
            ),
        ]

    def _post_clean(self):
        super()._post_clean()
        # Design-system error styling on each control with an error.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                base = attrs["class"].split()[0]
                attrs["class"] = f"{base} {base}--error"

    @staticmethod
    def initial_target(*, route_map: str = "", organisation: str = "") -> str:
        if route_map:
            return f"{ROUTE_MAP}:{route_map}"
        if organisation:
            return f"{ORGANISATION}:{organisation}"
        return ""

    def target_object(self) -> RouteMap | Organisation | None:
        """The route map or organisation a value (cleaned or initial) names, if any."""
        value = self.data.get("target") if self.is_bound else self.initial.get("target")
        kind, _, slug = (value or "").partition(":")
        if kind == ROUTE_MAP:
            return self.route_maps.get(slug)
        if kind == ORGANISATION:
            return self.organisations.get(slug)
        return None

    def target_kwargs(self) -> dict:
        target = self.target_object()
        if isinstance(target, RouteMap):
            return {"route_map": target}
        return {"organisation": target}


REMOVE_ALL = "all"


class ManageSubscriptionsForm(CleanTextForm):
    """Which of an address's subscriptions to stop: one (by its key) or all of them. Each
    "Remove" button on the manage page sends its own value."""

    remove = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, subscriptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscriptions = list(subscriptions)

    def clean(self):
        cleaned = super().clean()
        value = (cleaned.get("remove") or "").strip()
        if value == REMOVE_ALL:
            cleaned["chosen"] = self.subscriptions
        else:
            cleaned["chosen"] = [s for s in self.subscriptions if s.key.hex == value]
        if not cleaned["chosen"]:
            # Another tab, or the email's own unsubscribe link, got there first.
            self.add_error(
                None,
                "Those updates have already been stopped. The list shows what this address "
                "still gets.",
            )
        return cleaned

    @property
    def removes_all(self) -> bool:
        return self.cleaned_data.get("remove") == REMOVE_ALL
