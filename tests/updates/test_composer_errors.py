"""Bad input in the composer comes back in place: the composer again with the error on the field
and everything the agent typed, nothing written; over htmx only the composer is swapped (so other
half-filled forms on the page survive), without JavaScript the whole page. A composer drawn before
a colleague changed the ticket sends nothing and says so (409), keeping the text."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.tickets.helpers import client_for, htmx, owned_ticket, version
from tickets import services as ticket_services
from tickets.models import BODY_MAX_LENGTH, Status, Ticket
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # a Tuesday, business hours in London
TYPED = "We have ordered the replacement switch"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


BAD_PUBLIC_UPDATES = [
    # (what is wrong, fields, the field the error sits on, words of the error)
    ("empty body", {"body": "   "}, "body", "Write the update for the customer first."),
    (
        "body too long",
        {"body": TYPED + "x" * BODY_MAX_LENGTH},
        "body",
        "Keep it to 50000 characters or fewer",
    ),
    (
        "promise in the past",
        {"promise": "custom", "custom_due": "2026-03-10T09:00"},
        "custom_due",
        "already passed",
    ),
    ("custom promise without a time", {"promise": "custom"}, "custom_due", "Choose the date"),
    (
        "custom promise not a time",
        {"promise": "custom", "custom_due": "next tuesday"},
        "custom_due",
        "Pick a date and time, or write one such as 2026-03-02 14:30.",
    ),
    ("unknown quick pick", {"promise": "5h"}, "promise", "Choose one of the options."),
    ("impossible status", {"status": "exploded"}, "status", "Choose one of the options."),
    (
        "ETA not a time",
        {"eta": "soonish"},
        "eta",
        "Pick a date and time, or write one such as 2026-03-02 14:30.",
    ),
]


def _post_public(client, ticket, fields, **headers):
    data = {
        "body": TYPED,
        "promise": "default",
        "status": ticket.status,
        "expected_updated_at": version(ticket),
        **fields,
    }
    return client.post(f"/tickets/{ticket.pk}/updates/public/", data, **headers)


def _nothing_written(ticket: Ticket, before) -> None:
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()
    assert Ticket.objects.get(pk=ticket.pk).updated_at == before


@pytest.mark.parametrize(
    ("problem", "fields", "field", "error"),
    BAD_PUBLIC_UPDATES,
    ids=[c[0] for c in BAD_PUBLIC_UPDATES],
)
def test_bad_public_update_over_htmx_answers_only_the_composer_with_the_field_error(
    agent, frozen, problem, fields, field, error
):
    ticket = owned_ticket(agent)
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    response = _post_public(client_for(agent), ticket, fields, **htmx())
    content = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#composer"
    assert content.lstrip().startswith('<section id="composer"')
    assert "<html" not in content
    # The message sits with its field (Django's error list id) and the field is marked invalid.
    error_list = content.split(f'id="public-{field}_error"', 1)
    assert len(error_list) == 2, f"no error list on {field}"
    assert error in error_list[1][:400]
    if problem != "empty body":
        assert TYPED in content
    for name, value in fields.items():
        if name not in ("body", "status", "promise") and value:
            assert f'value="{value}"' in content  # what they typed, kept
    _nothing_written(ticket, before)


@pytest.mark.parametrize(
    ("problem", "fields", "field", "error"),
    BAD_PUBLIC_UPDATES[2:4],
    ids=[c[0] for c in BAD_PUBLIC_UPDATES[2:4]],
)
def test_bad_public_update_without_javascript_shows_the_page_with_the_field_error(
    agent, frozen, problem, fields, field, error
):
    ticket = owned_ticket(agent)
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    response = _post_public(client_for(agent), ticket, fields)
    content = response.content.decode()
    assert response.status_code == 400
    assert "<html" in content
    assert f'id="public-{field}_error"' in content
    assert error in content
    assert TYPED in content
    assert 'value="custom" checked' in content  # the pick they made, kept
    _nothing_written(ticket, before)


@pytest.mark.parametrize("body", ["", "n" * (BODY_MAX_LENGTH + 1)], ids=["empty", "too long"])
def test_bad_internal_note_comes_back_in_the_note_tab(agent, body):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/note/", {"body": body}, **htmx()
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert content.lstrip().startswith('<section id="composer"')
    assert 'id="note-body_error"' in content
    assert 'aria-selected="true" data-tab="note"' in content
    assert not TimelineEntry.objects.filter(kind=EntryKind.INTERNAL_NOTE).exists()


def test_a_stale_composer_sends_nothing_keeps_the_text_and_a_second_send_goes_through(
    agent, other_agent
):
    ticket = owned_ticket(agent)
    drawn_at = version(ticket)
    # A colleague puts the ticket on hold for the vendor while Alice writes.
    ticket_services.update_ticket(
        Ticket.objects.get(pk=ticket.pk), by=other_agent, changes={"status": "waiting_on_vendor"}
    )
    client = client_for(agent)
    response = _post_public(
        client, ticket, {"status": "open", "expected_updated_at": drawn_at}, **htmx()
    )
    content = response.content.decode()
    assert response.status_code == 409
    assert "Not sent: someone else changed this ticket" in content
    assert TYPED in content
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING_ON_VENDOR  # not undone
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()

    # The composer that came back carries the current version: sending it again is deliberate.
    assert f'value="{version(ticket)}"' in content
    response = _post_public(client, ticket, {"status": "waiting_on_vendor"})
    assert response.status_code == 302
    assert TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).count() == 1
