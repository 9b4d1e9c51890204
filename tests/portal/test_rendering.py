"""portal.rendering draws the list's cards and a ticket's entries in Python: the markup must be
the one the templates drew, byte for byte (the old loops are kept here as the reference)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone

from attachments.selectors import FileLink
from portal import rendering
from portal.visibility import CustomerEntry, CustomerTicket

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)

CARDS_TEMPLATE = """{% load portal_tags %}{% for ticket in tickets %}
    <li class="ticket-card">
      <div class="ticket-card-top">
        <span class="ref">{{ ticket.reference }}</span>
        <span class="pill status-{{ ticket.status }}">{{ ticket.status_label }}</span>
      </div>
      <h2><a href="{% url 'portal:ticket' ticket.pk %}">{{ ticket.subject }}</a></h2>
      <dl class="facts">
        <div><dt>Owner</dt><dd>{{ ticket.owner_name|default:"Being assigned now" }}</dd></div>
        {% if ticket.is_open %}
        <div><dt>Next update</dt><dd>{% if ticket.next_update_due %}by {{ ticket.next_update_due|when }}{% if ticket.update_overdue %} <span class="late">(late, sorry; it's being chased)</span>{% endif %}{% elif ticket.waiting_on_customer %}<strong>we're waiting for your reply</strong>{% else %}—{% endif %}</dd></div>
        <div><dt>Expected fix</dt><dd>{% if ticket.eta %}{{ ticket.eta|when }}{% else %}not known yet{% endif %}</dd></div>
        {% else %}
        <div><dt>Resolved</dt><dd>{{ ticket.resolved_at|when|default:"—" }}</dd></div>
        {% endif %}
        {% if scope == "organization" %}<div><dt>Raised by</dt><dd>{{ ticket.requester_name|default:"—" }}</dd></div>{% endif %}
      </dl>
      {% if ticket.last_update_text %}
      <p class="last-update"><span class="muted">Latest update, {{ ticket.last_update_at|when }}:</span> {{ ticket.last_update_text|truncatechars:180 }}</p>
      {% endif %}
    </li>
    {% endfor %}"""

ENTRIES_TEMPLATE = """{% load attachment_tags portal_tags update_tags %}{% for entry in timeline %}
    <li class="entry {{ entry.style }}">
      {% if entry.is_event %}
        <p><span class="muted">{{ entry.at|when }}</span> · {{ entry.text }}</p>
      {% else %}
        <p class="entry-meta"><strong>{{ entry.author_name }}</strong> <span class="muted">· {{ entry.at|when }}</span></p>
        <div class="entry-body">{{ entry.text|markdown }}</div>
        {% if entry.is_update and entry.next_update_due %}<p class="entry-promise">Next update by {{ entry.next_update_due|when }}</p>{% endif %}
      {% endif %}
      {% attachment_list entry.files %}
    </li>
    {% endfor %}"""


def card(**changes) -> CustomerTicket:
    values = dict(
        pk=42,
        reference="SD-42",
        subject="Printer <jams> & smudges",
        description="",
        status="in_progress",
        status_label="In progress",
        is_open=True,
        is_closed=False,
        is_resolved=False,
        owner_name="Alice O'Agent",
        requester_name='Tom "T" Colleague',
        requested_by_viewer=False,
        next_update_due=NOW + timedelta(hours=2),
        update_overdue=False,
        eta=None,
        needed_by=None,
        created_at=NOW - timedelta(days=3),
        resolved_at=None,
        problem_statement="",
        understanding_confirmed_at=None,
        people_affected=None,
        preferred_contact="",
        contact_details="",
        best_times="",
        last_update_text="We replaced the <fuser>; " + "long words " * 30,
        last_update_at=NOW - timedelta(hours=1),
        feedback_given=False,
    )
    values.update(changes)
    return CustomerTicket(**values)


CARDS = [
    card(),
    card(pk=43, reference="SD-43", owner_name="", update_overdue=True,
         next_update_due=NOW - timedelta(minutes=5), eta=NOW + timedelta(days=1)),
    card(pk=44, reference="SD-44", status="waiting_on_customer", next_update_due=None,
         last_update_text="", requester_name=""),
    card(pk=45, reference="SD-45", status="open", next_update_due=None),
    card(pk=46, reference="SD-46", status="resolved", is_open=False, is_resolved=True,
         resolved_at=NOW - timedelta(days=400)),
    card(pk=47, reference="SD-47", status="closed", is_open=False, is_closed=True),
]  # fmt: skip

ENTRIES = [
    CustomerEntry(pk=1, kind="event", at=NOW - timedelta(days=2), author_name="Service desk",
                  by_viewer=False, text="Status is now: <In progress> & more.",
                  next_update_due=None),
    CustomerEntry(pk=2, kind="public_update", at=NOW - timedelta(days=1), author_name="Alice <A>",
                  by_viewer=False, text="We **replaced** the fuser.\n\n- one\n- two <script>",
                  next_update_due=NOW + timedelta(hours=3)),
    CustomerEntry(pk=3, kind="public_update", at=NOW, author_name="Alice", by_viewer=False,
                  text="No promise here.", next_update_due=None),
    CustomerEntry(pk=4, kind="customer_reply", at=NOW, author_name="You", by_viewer=True,
                  text="Thanks!", next_update_due=None,
                  files=(FileLink(7, 4, "shot <1>.png", 2048, "image/png"),
                         FileLink(8, 4, "log.txt", 12, "text/plain"))),
    CustomerEntry(pk=5, kind="customer_reply", at=NOW, author_name="A colleague",
                  by_viewer=False, text="", next_update_due=None),
]  # fmt: skip


@pytest.mark.parametrize("scope", ["mine", "organization"])
@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland"])
def test_cards_are_the_markup_the_template_drew(scope, zone):
    with time_machine.travel(NOW, tick=False), timezone.override(zone):
        expected = Template(CARDS_TEMPLATE).render(Context({"tickets": CARDS, "scope": scope}))
        assert rendering.ticket_cards(CARDS, scope=scope) == expected


@pytest.mark.django_db
def test_timeline_entries_are_the_markup_the_template_drew():
    with time_machine.travel(NOW, tick=False), timezone.override("America/New_York"):
        expected = Template(ENTRIES_TEMPLATE).render(Context({"timeline": ENTRIES}))
        drawn = rendering.timeline_entries(ENTRIES)
    assert drawn == expected
    assert "<script>" not in drawn  # sanitised, as before
    assert "shot &lt;1&gt;.png" in drawn
