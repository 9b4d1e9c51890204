"""Where browsers report what the Content-Security-Policy blocked (SECURE_CSP's report-uri and
report-to). Each violation is one WARNING line on the `servicedesk.csp` logger, at most
CSP_REPORTS_LOGGED_PER_MINUTE lines a minute for all clients together, so a page that breaks for
everyone, or someone posting reports in a loop, cannot flood the log. Any body that is not a
report is a 400; nothing here can answer a 500."""

import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("servicedesk.csp")

MAX_REPORT_BYTES = 64 * 1024
MAX_REPORTS_PER_BODY = 20
# (report-uri's field, report-to's field) for each thing the log line says.
FIELDS = {
    "directive": ("effective-directive", "effectiveDirective"),
    "blocked": ("blocked-uri", "blockedURL"),
    "page": ("document-uri", "documentURL"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
}


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def violations(payload: object) -> list[dict] | None:
    """The violations in a report body: report-uri's {"csp-report": {...}} or report-to's list
    of {"type": "csp-violation", "body": {...}}. None when the body is neither."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list) and all(isinstance(report, dict) for report in payload):
        return [
            report["body"]
            for report in payload[:MAX_REPORTS_PER_BODY]
            if report.get("type") == "csp-violation" and isinstance(report.get("body"), dict)
        ]
    return None


def _text(value: object) -> str:
    # One short, printable line whatever a client sent.
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return text[:200] or "-"


def describe(violation: dict) -> str:
    said = {
        name: next((violation[key] for key in keys if violation.get(key) not in (None, "")), "")
        for name, keys in FIELDS.items()
    }
    return "{directive} blocked {blocked} on {page} ({source}:{line})".format(
        **{name: _text(value) for name, value in said.items()}
    )


def _may_log() -> bool:
    """Count one report against this minute's allowance; False once it is used up."""
    key = f"csp-reports:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this report starts the minute
        cache.set(key, 1, timeout=120)
        count = 1
    limit = settings.CSP_REPORTS_LOGGED_PER_MINUTE
    if count == limit + 1:
        logger.warning("CSP violation reports: more than %d this minute, not logging them", limit)
    return count <= limit


@csrf_exempt
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    """Log the violations a browser reports; 204 when the body was a report."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _refused("Content-Length is not a number.")
    if length > MAX_REPORT_BYTES:
        return _refused("A report is at most 64 KB.", status=413)
    try:
        payload = json.loads(request.body)
    except (ValueError, RecursionError):
        return _refused("The body is not JSON.")
    found = violations(payload)
    if found is None:
        return _refused("The body is not a CSP violation report.")
    for violation in found:
        if not _may_log():
            break
        logger.warning("CSP violation: %s", describe(violation))
    return HttpResponse(status=204)
