"""Asking for a password reset, with the limits of every email the public can trigger."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import PasswordResetRequestForm
from routemap.client import client_address
from routemap.forms import filled_honeypot
from routemap.ratelimit import TOO_MANY_EMAILS_MESSAGE, emails_from_client, emails_to_recipient


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
