"""Writes for consultations: taking a response from the public and moderating it.

The rules live here (and in the model's constraint), not in the views: nothing is stored for
a closed consultation, and a response whose author did not consent is never published.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from routemap.middleware import bump_published_version
from sources.models import (
    ConsultationAnswer,
    ConsultationQuestion,
    ConsultationResponse,
    SourceDocument,
)

# At most this many responses per address per window, across all consultations.
RATE_LIMIT = 5
RATE_WINDOW = datetime.timedelta(hours=1)
RATE_LIMIT_MESSAGE = (
    "You have sent a lot of responses from this connection in the last hour. "
    "Wait an hour and try again, or email the consultation team."
)


class ConsultationClosed(Exception):
    """The consultation has closed: responses are no longer accepted."""


def client_address(request: HttpRequest) -> str:
    """The submitter's IP address. Behind proxies (TRUSTED_PROXY_HOPS > 0) it is read from
    X-Forwarded-For, counting from the right so a client cannot choose it."""
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def address_hash(address: str) -> str:
    """A salted, keyed hash: enough to count responses per address, useless to recover it."""
    return salted_hmac(
        "sources.consultation-response-address", address, algorithm="sha256"
    ).hexdigest()


def is_rate_limited(*, address_hash: str, now: datetime.datetime | None = None) -> bool:
    since = (now or timezone.now()) - RATE_WINDOW
    recent = ConsultationResponse.objects.from_address_since(address_hash, since)
    return recent.count() >= RATE_LIMIT


@transaction.atomic
def consultation_response_submit(
    *,
    document: SourceDocument,
    respondent_type: str,
    answers: dict[ConsultationQuestion, str],
    name: str = "",
    organisation: str = "",
    consent_to_publish: bool = False,
    address_hash: str = "",
    today: datetime.date | None = None,
) -> ConsultationResponse:
    """Store a response and its non-blank answers; refuses once the consultation closed."""
    if not document.is_open(today):
        raise ConsultationClosed(document.closed_message)
    answers = {q: text.strip() for q, text in answers.items() if text and text.strip()}
    if not answers:
        raise ValidationError("Answer at least one question.")
    if any(question.document_id != document.pk for question in answers):
        raise ValidationError("Answer the questions of this consultation.")
    response = ConsultationResponse(
        document=document,
        name=name.strip(),
        organisation=organisation.strip(),
        respondent_type=respondent_type,
        consent_to_publish=consent_to_publish,
        address_hash=address_hash,
    )
    response.full_clean()
    response.save()
    ConsultationAnswer.objects.bulk_create(
        ConsultationAnswer(response=response, question=question, text=text)
        for question, text in answers.items()
    )
    return response


@transaction.atomic
def consultation_response_moderate(
    *, response: ConsultationResponse, state: str, user
) -> ConsultationResponse:
    """Publish or reject a response (ValidationError when publishing without consent)."""
    if state not in ConsultationResponse.State.values:
        raise ValidationError(f"Unknown moderation state {state!r}.")
    response = ConsultationResponse.objects.select_for_update().get(pk=response.pk)
    response.state = state
    response.moderated_by = user
    response.moderated_at = timezone.now()
    response.full_clean()
    response.save(update_fields=["state", "moderated_by", "moderated_at"])
    # The document's public page lists published responses: drop cached copies.
    bump_published_version()
    transaction.on_commit(bump_published_version)
    return response
