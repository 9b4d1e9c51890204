"""The endpoint browsers send CSP violations to (servicedesk.csp): each is one WARNING line, a
burst is cut at CSP_REPORTS_LOGGED_PER_MINUTE, and a body that is not a report is a 400."""

import json
import logging

import pytest

URL = "/csp-report/"
REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "http://desk.test/tickets/7/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "http://desk.test/tickets/7/",
        "line-number": 12,
    }
}
REPORT_TO_BODY = [
    {
        "type": "csp-violation",
        "url": "http://desk.test/portal/",
        "body": {
            "documentURL": "http://desk.test/portal/",
            "effectiveDirective": "style-src-attr",
            "blockedURL": "inline",
            "sourceFile": "http://desk.test/portal/",
            "lineNumber": 3,
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},
]


def post(client, body, content_type="application/csp-report"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type)


def logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "servicedesk.csp"]


def test_a_report_uri_violation_is_logged_in_one_line(client, caplog):
    caplog.set_level(logging.WARNING, logger="servicedesk.csp")

    assert post(client, REPORT_URI_BODY).status_code == 204

    assert logged(caplog) == [
        "CSP violation: script-src-elem blocked inline on http://desk.test/tickets/7/ "
        "(http://desk.test/tickets/7/:12)"
    ]
    assert caplog.records[-1].levelname == "WARNING"


def test_report_to_violations_are_logged_and_other_reports_ignored(client, caplog):
    caplog.set_level(logging.WARNING, logger="servicedesk.csp")

    response = post(client, REPORT_TO_BODY, content_type="application/reports+json")

    assert response.status_code == 204
    assert logged(caplog) == [
        "CSP violation: style-src-attr blocked inline on http://desk.test/portal/ "
        "(http://desk.test/portal/:3)"
    ]


def test_what_a_client_sent_cannot_forge_log_lines(client, caplog):
    caplog.set_level(logging.WARNING, logger="servicedesk.csp")
    body = {"csp-report": {"blocked-uri": "x\nCRITICAL forged line" + "y" * 500}}

    assert post(client, body).status_code == 204

    (line,) = logged(caplog)
    assert "\n" not in line
    assert len(line) < 400


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[" * 5000,
        json.dumps({"something": "else"}),
        json.dumps(["a", "b"]),
        json.dumps(42),
        json.dumps({"csp-report": "text"}),
    ],
)
def test_a_body_that_is_not_a_report_is_a_400_and_logs_nothing(client, caplog, body):
    caplog.set_level(logging.WARNING, logger="servicedesk.csp")

    response = post(client, body)

    assert response.status_code == 400
    assert "detail" in response.json()
    assert logged(caplog) == []


def test_a_huge_body_is_refused_unread(client):
    body = {"csp-report": {"blocked-uri": "x" * 70_000}}

    assert post(client, body).status_code == 413


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405


def test_a_burst_is_logged_up_to_the_limit_then_once_noted(client, caplog, settings):
    settings.CSP_REPORTS_LOGGED_PER_MINUTE = 3
    caplog.set_level(logging.WARNING, logger="servicedesk.csp")

    statuses = {post(client, REPORT_URI_BODY).status_code for _ in range(10)}

    assert statuses == {204}
    lines = logged(caplog)
    assert len(lines) == 4
    assert lines[-1] == "CSP violation reports: more than 3 this minute, not logging them"
