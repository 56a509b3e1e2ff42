"""Signals other apps listen to. `edition_published` is sent after the publish commits, so
listeners (subscription emails, caches) never act on a publish that was rolled back, and a
listener's failure cannot undo a publish."""

from django.dispatch import Signal

# Sent with: edition (the new live Edition), previous (the Edition it replaced, or None).
edition_published = Signal()

# Sent INSIDE the discard's transaction with: route_map (whose draft is being discarded), so a
# listener's writes (partner updates accepted into the draft go back to review) are undone with
# the discard if it fails.
draft_discarded = Signal()
