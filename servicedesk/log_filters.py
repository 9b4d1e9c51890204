"""Logging filters (settings.LOGGING)."""

import logging


class OneLineRefusals(logging.Filter):
    """Drop the traceback from a refused request's record (status below 500: a 403 for a
    customer on a staff page, a 404, a 400), so each refusal is one line saying what and where;
    an error (5xx) keeps its traceback.

    Django logs these through django.request and django.security with the exception that
    refused the request attached, which printed a full traceback at WARNING for every one."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
