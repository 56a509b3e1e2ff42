"""Abstract models any app may build on; they know nothing of the plan."""

from django.db import models


class Revised(models.Model):
    """A row editors save from a form. `revision` goes up on every save, and the form carries
    the revision it was opened at, so a save made after someone else's is refused
    (publishing.edits.refuse_if_changed) rather than silently replacing their words. A copy
    of the row (a draft copied from the live version) keeps its revision, so a form opened
    on the live version can still be saved to the draft."""

    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
