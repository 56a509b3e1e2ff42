"""Asking for a password reset, with the limits of every email the public can trigger; which
emails about their work a signed-in person gets, and the one-click links that turn one off."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import EmailPreferenceForm, PasswordResetRequestForm
from accounts.models import EmailPreference, email_kinds_for, read_unsubscribe_token
from core.client import client_address
from core.forms import filled_honeypot
from core.ratelimit import TOO_MANY_EMAILS_MESSAGE, emails_from_client, emails_to_recipient


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Replaces Django's view: a honeypot, limits per client and per recipient, and an email
    to unknown addresses too. The next page is the same whatever happened."""
    if request.method != "POST":
        form = PasswordResetRequestForm()
        return render(request, "registration/password_reset_form.html", {"form": form})
    if filled_honeypot(request):
        return redirect("password_reset_done")
    form = PasswordResetRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "registration/password_reset_form.html", {"form": form})
    address, from_client = client_address(request), emails_from_client()
    if from_client.is_exceeded(address):
        form.add_error(None, TOO_MANY_EMAILS_MESSAGE)
        return render(request, "registration/password_reset_form.html", {"form": form}, status=429)
    from_client.hit(address)
    # Over the recipient's limit nothing is sent, silently: saying so would tell anyone that
    # someone asked for this address in the last hour.
    recipient, to_recipient = form.cleaned_data["email"].lower(), emails_to_recipient()
    if not to_recipient.is_exceeded(recipient):
        to_recipient.hit(recipient)
        form.save(request=request, use_https=request.is_secure())
    return redirect("password_reset_done")


@require_GET
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registration/password_reset_done.html",
        {"emails_per_hour": settings.EMAILS_PER_RECIPIENT_PER_HOUR},
    )


@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    """Partners and editors choose the emails about their work; nobody else gets any."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    kinds = email_kinds_for(request.user)
    if not kinds:
        raise PermissionDenied("Email settings are for partner organisations and editors.")
    preference = EmailPreference.for_user(request.user)
    # Not `request.POST or None`: a form with every box unticked posts nothing else.
    form = EmailPreferenceForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        initial={kind.field: getattr(preference, kind.field) for kind in kinds},
    )
    if form.is_valid():
        for kind in kinds:
            setattr(preference, kind.field, form.cleaned_data[kind.field])
        preference.save()
        messages.success(request, "Your email settings are saved.")
        return redirect("accounts:email_preferences")
    return render(
        request,
        "accounts/email_preferences.html",
        {"form": form, "kinds": kinds},
        status=400 if form.errors else 200,
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token.
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links); POST turns that one kind of email off."""
    found = read_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=found[0]).first() if found else None
    if user is None:
        return render(request, "accounts/email_link_problem.html", status=404)
    kind = found[1]
    if request.method == "POST":
        EmailPreference.turn_off(user, kind)
        return render(request, "accounts/email_unsubscribed.html", {"kind": kind})
    return render(request, "accounts/email_unsubscribe.html", {"kind": kind, "token": token})
