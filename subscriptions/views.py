"""Subscribe, confirm, unsubscribe and manage pages. Confirming, unsubscribing and removing
change state only on POST, so a mail scanner that follows links cannot do any of them on a
reader's behalf. Links carry signed tokens (see subscriptions.models); a bad or spent one
gets a page that says so, never an error."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.client import client_address
from core.forms import filled_honeypot
from core.ratelimit import TOO_MANY_EMAILS_MESSAGE, emails_from_client
from routemap.models import RouteMap
from subscriptions.emails import manage_path
from subscriptions.forms import ManageSubscriptionsForm, SubscriptionForm
from subscriptions.models import Subscription, keys_token, token_keys, unsubscribe_keys
from subscriptions.services import (
    LinkProblem,
    subscription_confirm,
    subscription_for_confirmation,
    subscription_request,
    subscriptions_cancel,
    subscriptions_cancel_all,
)


@require_http_methods(["GET", "POST"])
def subscription_new(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if filled_honeypot(request):
            return redirect("subscriptions:sent")  # a bot: look like success, send nothing
        form = SubscriptionForm(request.POST)
        status = 400
        if form.is_valid():
            # Too many requests from this connection: say so (it is about the requester, not
            # the address). Too many emails to the address: the service quietly sends none.
            address, limit = client_address(request), emails_from_client()
            if limit.is_exceeded(address):
                form.add_error(None, TOO_MANY_EMAILS_MESSAGE)
                status = 429
            else:
                limit.hit(address)
                subscription_request(
                    email=form.cleaned_data["email"],
                    absolute_url=request.build_absolute_uri,
                    **form.target_kwargs(),
                )
                # The same answer whatever the address's state, so nobody can test addresses.
                return redirect("subscriptions:sent")
    else:
        initial = SubscriptionForm.initial_target(
            route_map=request.GET.get("route_map", ""),
            organisation=request.GET.get("organisation", ""),
        )
        form = SubscriptionForm(initial={"target": initial})
    target = form.target_object()
    return render(
        request,
        "subscriptions/subscription_new.html",
        {
            "form": form,
            "target": target,
            "target_is_route_map": isinstance(target, RouteMap),
        },
        status=status,
    )


@require_GET
def subscription_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "subscriptions/subscription_sent.html",
        {"emails_per_hour": settings.EMAILS_PER_RECIPIENT_PER_HOUR},
    )


def _link_problem(
    request: HttpRequest, problem: str, status: int, *, link: str = "confirm"
) -> HttpResponse:
    return render(
        request,
        "subscriptions/link_problem.html",
        {"problem": problem, "link": link},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def subscription_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = subscription_confirm(token=token)
            return render(request, "subscriptions/confirmed.html", {"subscription": subscription})
        subscription = subscription_for_confirmation(token=token)
    except LinkProblem as problem:
        if problem.expired:
            return _link_problem(request, "expired", 410)
        return _link_problem(request, "invalid", 404)
    return render(request, "subscriptions/confirm.html", {"subscription": subscription})


def _confirmed_of(email: str) -> list[Subscription]:
    return list(Subscription.objects.confirmed().with_target().for_address(email))


def _stopped(request: HttpRequest, stopped: list, remaining: list) -> HttpResponse:
    """What was stopped, and what the address still gets (with a way to manage it)."""
    return render(
        request,
        "subscriptions/unsubscribed.html",
        {
            "stopped": stopped,
            "remaining": remaining,
            "manage_url": manage_path([s.key for s in remaining]) if remaining else "",
        },
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token.
@require_http_methods(["GET", "POST"])
def subscription_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop everything the email carrying this link was sent for (one subscription, for a
    link sent before emails covered several)."""
    keys = unsubscribe_keys(token)
    if keys is None:
        return _link_problem(request, "invalid", 404, link="unsubscribe")
    subscriptions = list(Subscription.objects.with_target().filter(key__in=keys))
    if not subscriptions:
        return _link_problem(request, "unsubscribed", 410, link="unsubscribe")
    email = subscriptions[0].email
    if request.method == "POST":
        stopped = subscriptions_cancel(keys=[s.key for s in subscriptions])
        return _stopped(request, stopped, _confirmed_of(email))
    everything = _confirmed_of(email)
    return render(
        request,
        "subscriptions/unsubscribe.html",
        {
            "subscriptions": subscriptions,
            "email": email,
            "token": token,
            "others": [s for s in everything if s not in subscriptions],
            "manage_url": manage_path([s.key for s in everything]) if everything else "",
        },
    )


@require_http_methods(["GET", "POST"])
def subscriptions_manage(request: HttpRequest, token: str) -> HttpResponse:
    """Every confirmed subscription of the address the link names, each with "Remove", and
    "Remove all". No account: holding a link from one of its emails is enough."""
    keys = token_keys(token, purpose="manage")
    if keys is None:
        return _link_problem(request, "invalid", 404, link="manage")
    email = Subscription.objects.address_of(keys)
    if email is None:
        return _link_problem(request, "unsubscribed", 410, link="manage")
    subscriptions = _confirmed_of(email)
    form = ManageSubscriptionsForm(request.POST or None, subscriptions=subscriptions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if form.removes_all:
                return _stopped(request, subscriptions_cancel_all(email=email), [])
            chosen = form.cleaned_data["chosen"]
            stopped = subscriptions_cancel(keys=[s.key for s in chosen])
            remaining = [s for s in subscriptions if s not in chosen]
            if not remaining:
                return _stopped(request, stopped, [])
            for subscription in stopped:
                messages.success(
                    request, f"You will get no more updates about {subscription.target}."
                )
            # A fresh link, naming what is left: the one used may name only what was removed.
            fresh = keys_token([s.key for s in remaining], purpose="manage")
            return redirect("subscriptions:manage", fresh)
        status = 400
    return render(
        request,
        "subscriptions/manage.html",
        {"email": email, "subscriptions": subscriptions, "form": form, "token": token},
        status=status,
    )
