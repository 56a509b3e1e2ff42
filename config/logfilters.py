"""Logging filters used by settings.LOGGING."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Django logs a PermissionDenied answer (403) with the exception's traceback: for an
    expected refusal that is dozens of lines of noise per request. Keep the one line that
    says who was refused what; real errors (500) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
