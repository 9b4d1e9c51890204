"""The validators tickets and vendors services share (tickets/validators.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tickets.validators import boolean, future_moment, text

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
