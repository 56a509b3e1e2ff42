"""Signals other apps listen to about source documents. Like `edition_published`, a publish is
announced only once it has committed, so a listener (partner emails) never acts on a publish
that was rolled back, and a listener's failure cannot undo one."""

import datetime
import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with: document (the SourceDocument), published_at (when its draft went live).
document_published = Signal()

# Sent INSIDE the discard's transaction with: document (whose draft is being discarded).
document_draft_discarded = Signal()


def announce_document_published(*, document, published_at: datetime.datetime) -> None:
    """Call inside the publish's transaction: listeners hear of it after the commit."""

    def send():
        for receiver, result in document_published.send_robust(
            sender=type(document), document=document, published_at=published_at
        ):
            if isinstance(result, Exception):
                logger.error("document_published listener %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
