"""Subscribe, confirm and unsubscribe pages. Confirming and unsubscribing change state only on
POST, so a mail scanner that follows links cannot do either on a reader's behalf."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from routemap.client import client_address
from routemap.forms import filled_honeypot
from routemap.models import RouteMap
from routemap.ratelimit import TOO_MANY_EMAILS_MESSAGE, emails_from_client
from subscriptions.forms import SubscriptionForm
from subscriptions.models import Subscription, unsubscribe_key
from subscriptions.services import (
    LinkProblem,
    subscription_cancel,
    subscription_confirm,
    subscription_for_confirmation,
    subscription_request,
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


def _link_problem(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    return render(request, "subscriptions/link_problem.html", {"problem": problem}, status=status)


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


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token.
@require_http_methods(["GET", "POST"])
def subscription_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    key = unsubscribe_key(token)
    if key is None:
        return _link_problem(request, "invalid", 404)
    subscription = Subscription.objects.with_target().filter(key=key).first()
    if subscription is None:
        return _link_problem(request, "unsubscribed", 410)
    if request.method == "POST":
        target = subscription.target
        subscription_cancel(subscription=subscription)
        return render(request, "subscriptions/unsubscribed.html", {"target": target})
    return render(
        request,
        "subscriptions/unsubscribe.html",
        {"subscription": subscription, "token": token},
    )
