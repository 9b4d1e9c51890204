"""A refused request (403, 404) logs one line saying what and where, not a traceback; a server
error keeps its traceback (settings.LOGGING, servicedesk.log_filters)."""

import io
import logging

import pytest
from django.test import Client

from servicedesk.log_filters import OneLineRefusals


@pytest.fixture
def console():
    """What the console handler of settings.LOGGING writes, captured."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, OneLineRefusals) for f in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_customer_refused_a_staff_page_logs_one_line(client, contact, console):
    client.force_login(contact)

    assert client.get("/").status_code == 403

    lines = console.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "WARNING django.request Forbidden (Permission denied): /" in lines[0]


def test_a_missing_page_logs_one_line(client, agent, console):
    client.force_login(agent)

    assert client.get("/tickets/999999/").status_code == 404

    assert console.getvalue().count("\n") == 1
    assert "Traceback" not in console.getvalue()


def test_a_server_error_keeps_its_traceback(agent, console, monkeypatch):
    monkeypatch.setattr("tickets.views.QueueControls", None)
    client = Client(raise_request_exception=False)
    client.force_login(agent)

    assert client.get("/").status_code == 500

    assert "ERROR django.request Internal Server Error: /" in console.getvalue()
    assert "Traceback" in console.getvalue()
