"""What happens to a partner's progress update, for whoever must be told (emails).

Sent from partners.services once the write has committed, so a receiver that fails (an
unreachable mail server) can neither block nor undo the review.
"""

from django.dispatch import Signal

# Sent with `update`: a partner sent a new update (or changed a pending one).
update_submitted = Signal()
# Sent with `update`: an editor accepted or declined it (`update.state` says which).
update_reviewed = Signal()
# Sent with `updates`: accepted updates that a publish has just made public.
updates_published = Signal()
