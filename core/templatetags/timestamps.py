"""Machine-readable times for `<time datetime="...">`, written one way everywhere.

`|date:"c"` keeps microseconds, which HTML does not allow (at most three digits of a second's
fraction), and no reader needs them: `{{ edition.published_at|datetime_attribute }}` gives
the local time to the second with its offset, a plain date for a date. A builtin library
(settings.TEMPLATES), so templates need no `{% load %}`.
"""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def datetime_attribute(value: datetime.date | datetime.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return value.isoformat()
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
