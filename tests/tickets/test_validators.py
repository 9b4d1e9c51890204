"""The validators tickets, updates and vendors services share (tickets/validators.py): each
refuses a bad value with an error naming its field, and a service that uses one writes nothing."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import AgentFactory, TicketFactory
from tickets.models import BODY_MAX_LENGTH, Ticket
from tickets.validators import (
    boolean,
    day_in_range,
    future_moment,
    message_body,
    moment_in_range,
    parse_moment,
    promised_update_time,
    text,
)
from updates import services as update_services
from updates.models import Promise, TimelineEntry

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def error_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_text_is_stripped_and_checked_for_length_and_presence():
    assert text("  hello ", "subject", max_length=10, required=True) == "hello"
    assert text(None, "subject", max_length=10, required=False) == ""
    assert error_of(lambda: text("   ", "subject", max_length=10, required=True)) == {
        "subject": ["This field is required."]
    }
    assert error_of(lambda: text("x" * 11, "subject", max_length=10, required=False)) == {
        "subject": ["At most 10 characters (this has 11)."]
    }
    assert error_of(lambda: text(42, "summary", max_length=10, required=False)) == {
        "summary": ["Must be text."]
    }


def test_future_moment_must_be_aware_future_and_not_too_far():
    soon = NOW + timedelta(hours=1)
    assert future_moment(soon, "eta", now=NOW) == soon
    assert future_moment(None, "eta", now=NOW) is None
    assert (
        "time zone"
        in error_of(lambda: future_moment(soon.replace(tzinfo=None), "eta", now=NOW))["eta"][0]
    )
    assert "already passed" in error_of(lambda: future_moment(NOW, "eta", now=NOW))["eta"][0]
    far = NOW + timedelta(days=10)
    assert error_of(
        lambda: future_moment(
            far, "next_chase_at", now=NOW, longest=timedelta(days=7), too_far="Too far."
        )
    ) == {"next_chase_at": ["Too far."]}


@pytest.mark.parametrize("value", ["true", 1, None])
def test_boolean_accepts_only_booleans(value):
    assert error_of(lambda: boolean(value, "pushback")) == {"pushback": ["Must be true or false."]}
    assert boolean(False, "pushback") is False


def test_message_body_is_stripped_and_must_have_words_within_the_limit():
    assert message_body("  The switch is ordered.\n") == "The switch is ordered."
    for blank in ("", "   \n", None):
        assert error_of(lambda blank=blank: message_body(blank)) == {
            "body": ["Write something: this field is required."]
        }
    too_long = "x" * (BODY_MAX_LENGTH + 1)
    assert error_of(lambda: message_body(too_long, "handover_note")) == {
        "handover_note": [f"At most 50,000 characters (this has {BODY_MAX_LENGTH + 1:,})."]
    }
    assert message_body(" " + "x" * BODY_MAX_LENGTH + " ") == "x" * BODY_MAX_LENGTH
    assert error_of(lambda: message_body(["a list"])) == {"body": ["Must be text."]}


def test_promised_update_time_is_aware_future_and_within_the_longest_promise():
    soon = NOW + timedelta(hours=2)
    assert promised_update_time(soon, now=NOW, longest_days=366) == soon
    assert promised_update_time(None, now=NOW, longest_days=366) is None
    # Whole days count, as for the promise itself: 366 days and some hours is still accepted.
    edge = NOW + timedelta(days=366, hours=23)
    assert promised_update_time(edge, now=NOW, longest_days=366) == edge

    def refused(value) -> list[str]:
        return error_of(lambda: promised_update_time(value, now=NOW, longest_days=366))[
            "next_update_due"
        ]

    assert refused(soon.replace(tzinfo=None)) == ["Give a date and time with its time zone."]
    assert refused("2026-03-02T11:00") == ["Give a date and time with its time zone."]
    assert refused(NOW) == ["This time has already passed; choose a time in the future."]
    assert refused(NOW + timedelta(days=367)) == ["Promise an update within 366 days."]


@pytest.fixture
def owned(db):
    """An owned ticket, with its first promise, in business hours."""
    with time_machine.travel(NOW, tick=False):
        ticket = TicketFactory(owner=AgentFactory())
    return Ticket.objects.select_related("owner", "requester").get(pk=ticket.pk)


def _state(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.next_update_due,
        ticket.updated_at,
        list(TimelineEntry.objects.filter(ticket=ticket).values_list("pk", flat=True)),
        list(Promise.objects.filter(ticket=ticket).values_list("pk", "due_at", "outcome")),
        len(mail.outbox),
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"body": "  "}, "body", "required"),
        ({"body": "x" * (BODY_MAX_LENGTH + 1)}, "body", "At most"),
        ({"next_update_due": NOW - timedelta(minutes=1)}, "next_update_due", "already passed"),
        ({"next_update_due": NOW + timedelta(days=400)}, "next_update_due", "within 366 days"),
        ({"next_update_due": datetime(2026, 3, 3, 9, 0)}, "next_update_due", "time zone"),
    ],
    ids=["blank", "too long", "past promise", "promise too far", "naive promise"],
)
def test_a_public_update_with_bad_input_names_the_field_and_changes_nothing(
    owned, fields, field, words
):
    before = _state(owned)
    with time_machine.travel(NOW, tick=False):
        caught = error_of(
            lambda: update_services.post_public_update(
                owned, author=owned.owner, **{"body": "On its way.", **fields}
            )
        )
    assert list(caught) == [field]
    assert words in caught[field][0]
    assert _state(owned) == before


def test_a_blank_note_or_reply_is_refused_and_writes_nothing(owned):
    before = _state(owned)
    with time_machine.travel(NOW, tick=False):
        note = error_of(
            lambda: update_services.add_internal_note(owned, author=owned.owner, body="")
        )
        reply = error_of(
            lambda: update_services.post_customer_reply(owned, author=owned.requester, body=" ")
        )
    assert note == reply == {"body": ["Write something: this field is required."]}
    assert _state(owned) == before


def test_text_refuses_nul_characters_postgresql_cannot_store():
    assert error_of(lambda: text("a\x00b", "subject", max_length=10, required=True)) == {
        "subject": ["Null characters are not allowed."]
    }


@pytest.mark.parametrize(
    "moment",
    [
        datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
    ],
)
def test_moments_outside_2000_to_2099_are_refused(moment):
    assert error_of(lambda: moment_in_range(moment, "needed_by")) == {
        "needed_by": ["Give a date between 2000 and 2099."]
    }
    assert "2000 and 2099" in error_of(lambda: future_moment(moment, "eta", now=NOW))["eta"][0]


def test_a_moment_in_range_comes_back_in_utc_whatever_its_offset():
    sixteen_hours_ahead = timezone(timedelta(hours=16))
    moment = datetime(2026, 12, 31, tzinfo=sixteen_hours_ahead)

    accepted = moment_in_range(moment, "until")

    assert accepted == moment
    assert accepted.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-12-31T00:00:00+16:00", None),
        ("9999-12-31T23:59:59+14:00", "Give a date between 2000 and 2099."),
        ("0001-01-01T00:00:00-14:00", "Give a date between 2000 and 2099."),
        ("2026-12-31T00:00:00", "Give the time zone offset, e.g. 2026-03-02T14:30:00+00:00."),
        ("2026-02-30T00:00:00Z", "ISO 8601"),
        ("a\x00b", "ISO 8601"),
        (20261231, "ISO 8601"),
    ],
)
def test_parse_moment_reads_iso_8601_with_offset_within_the_years(value, message):
    if message is None:
        assert parse_moment(value, "until") == datetime(2026, 12, 30, 8, 0, tzinfo=UTC)
    else:
        assert message in error_of(lambda: parse_moment(value, "until"))["until"][0]


def test_days_outside_2000_to_2099_are_refused():
    assert day_in_range(date(2026, 3, 2), "since") == date(2026, 3, 2)
    assert error_of(lambda: day_in_range(date(9999, 12, 31), "since")) == {
        "since": ["Give a date between 2000 and 2099."]
    }
