"""The staff ticket page and its actions: ownership, triage, status and dates, priority override,
collaborators; permissions, CSRF, optimistic concurrency and query counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from tests.factories import AgentFactory, TicketFactory
from tests.tickets.helpers import client_for, htmx, owned_ticket, version
from tickets import panels
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.models import TimelineEntry

pytestmark = pytest.mark.django_db


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# ---- reading the page ------------------------------------------------------------------


def test_page_shows_the_header_facts(agent, contact):
    ticket = TicketFactory(
        organization=contact.organization, requester=contact, impact=2, urgency=1
    )
    ticket = update_services.post_public_update(ticket, author=agent, body="On it.").ticket
    response = client_for(agent).get(f"/tickets/{ticket.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    for text in (
        ticket.reference,
        ticket.subject,
        "P1",
        "impact 2 \N{MULTIPLICATION SIGN} urgency 1",
        "Alice Agent (you)",
        "Northwind Traders",
        contact.email,
        "Needed by",
        "ETA",
        "not restated yet",
        'class="countdown"',
    ):
        assert text in content, text


def test_page_shows_what_the_customer_gave_at_intake(agent):
    ticket = owned_ticket(agent)
    Ticket.objects.filter(pk=ticket.pk).update(
        people_affected=14,
        preferred_contact="phone",
        contact_details="+44 20 7946 0321",
        best_times="Weekdays before 11:00",
    )
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    for text in ("People affected", "14", "Phone", "+44 20 7946 0321", "Weekdays before 11:00"):
        assert text in content


def test_timeline_styles_public_updates_internal_notes_and_events_apart(agent):
    ticket = owned_ticket(agent)
    update_services.post_public_update(ticket, author=agent, body="Public words for the customer")
    update_services.add_internal_note(ticket, author=agent, body="Staff-only words")
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'class="entry entry-public"' in content
    assert "Public update · sent to the customer" in content
    assert 'class="entry entry-internal"' in content
    assert "Internal note · staff only" in content
    assert 'class="entry entry-event"' in content
    assert "Alice Agent took ownership." in content


def test_a_far_future_moment_stored_before_the_bounds_still_shows(agent):
    """Year-9999 dates were accepted once: an agent east of UTC still gets the page (and the
    details form drawn from them), shown in UTC rather than failing."""
    agent.timezone = "Pacific/Kiritimati"
    agent.save()
    ticket = owned_ticket(agent)
    far = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    Ticket.objects.filter(pk=ticket.pk).update(needed_by=far, eta=far)
    client = client_for(agent)

    page = client.get(f"/tickets/{ticket.pk}/")
    form = client.get(f"/tickets/{ticket.pk}/?form=details", **htmx())

    assert page.status_code == 200
    assert "31 Dec, 23:00" in page.content.decode()
    assert form.status_code == 200
    assert "9999-12-31T23:00" in form.content.decode()


def test_unknown_ticket_is_404(agent):
    assert client_for(agent).get("/tickets/999999/").status_code == 404


def test_only_staff_reach_the_ticket_page(client, contact):
    ticket = TicketFactory(organization=contact.organization, requester=contact)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 302
    assert client_for(contact).get(f"/tickets/{ticket.pk}/").status_code == 403
    assert client_for(contact).post(f"/tickets/{ticket.pk}/own/").status_code == 403
    assert reload(ticket).owner is None


def test_page_runs_the_same_number_of_queries_however_long_the_timeline(agent, other_agent):
    ticket = owned_ticket(agent)
    client = client_for(agent)
    client.get(f"/tickets/{ticket.pk}/")
    with CaptureQueriesContext(connection) as short:
        client.get(f"/tickets/{ticket.pk}/")
    for number in range(15):
        update_services.add_internal_note(
            ticket, author=[agent, other_agent][number % 2], body=f"Note {number}"
        )
        update_services.post_public_update(ticket, author=agent, body=f"Update {number}")
    ticket.collaborators.add(other_agent)
    with CaptureQueriesContext(connection) as long:
        response = client.get(f"/tickets/{ticket.pk}/")
    assert "Update 14" in response.content.decode()
    assert len(long) == len(short)


def test_registered_panels_render_on_the_page(agent):
    ticket = owned_ticket(agent)
    panels.register(
        panels.TicketPanel(
            name="test-panel",
            template="tickets/_messages.html",
            context=lambda request, ticket, bound: {"messages": ["Panel for " + ticket.reference]},
            column="side",
        )
    )
    try:
        content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    finally:
        panels.unregister("test-panel")
    assert f"Panel for {ticket.reference}" in content


def test_panel_column_must_be_main_or_side():
    with pytest.raises(ValueError, match="column"):
        panels.register(panels.TicketPanel("x", "t.html", lambda *a: {}, column="footer"))


# ---- side forms, drawn when opened ----------------------------------------------------------

SIDE_FORMS = {
    # name: (the form's action, one of its fields)
    "triage": ("triage", 'name="problem_statement"'),
    "details": ("details", 'name="needed_by"'),
    "handover": ("handover", 'name="handover_note"'),
    "collaborator": ("collaborators", 'name="user"'),
    "override": ("priority", 'name="priority_override_reason"'),
}


def test_side_forms_are_not_drawn_until_opened_and_no_staff_list_is_read(agent, other_agent):
    ticket = owned_ticket(agent)
    with CaptureQueriesContext(connection) as queries:
        content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    for name, (action, field) in SIDE_FORMS.items():
        assert field not in content, name
        assert f"/tickets/{ticket.pk}/{action}/" not in content, name
        # The loader (htmx, on first opening) and the link that works without JavaScript.
        assert f'hx-get="/tickets/{ticket.pk}/?form={name}"' in content, name
        assert f'href="/tickets/{ticket.pk}/?form={name}#side-{name}"' in content, name
    # By name, not by id: another list's option (a work type) may share the agent's id.
    assert f">{escape(other_agent.display_name)}</option>" not in content
    staff_lists = [q["sql"] for q in queries if '"accounts_user"."role" IN' in q["sql"]]
    assert staff_lists == []


@pytest.mark.parametrize("name", SIDE_FORMS)
def test_a_side_form_loads_alone_under_htmx(agent, name):
    ticket = owned_ticket(agent)
    response = client_for(agent).get(f"/tickets/{ticket.pk}/?form={name}", **htmx())
    content = response.content.decode()
    action, field = SIDE_FORMS[name]
    assert response.status_code == 200
    assert content.lstrip().startswith("<form")
    assert f'action="/tickets/{ticket.pk}/{action}/"' in content
    assert field in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert f'value="{version(ticket)}"' in content  # drawn from the ticket as it is now
    assert 'id="ticket-body"' not in content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("name", SIDE_FORMS)
def test_a_side_form_opens_on_the_whole_page_without_javascript(agent, name):
    ticket = owned_ticket(agent)
    response = client_for(agent).get(f"/tickets/{ticket.pk}/?form={name}")
    content = response.content.decode()
    _action, field = SIDE_FORMS[name]
    assert response.status_code == 200
    assert "<html" in content
    assert 'id="ticket-body"' in content
    section = content[content.index(f'id="side-{name}"') :]
    assert section.index(field) < section.index("</details>")  # drawn inside its section
    assert " open>" in section[: section.index(field)]  # and its section is open


def test_an_unknown_side_form_is_a_clear_400(agent):
    ticket = owned_ticket(agent)
    for headers in ({}, htmx()):
        response = client_for(agent).get(f"/tickets/{ticket.pk}/?form=wat", **headers)
        assert response.status_code == 400
        assert "Unknown form 'wat'" in response.content.decode()


def test_a_side_form_saved_under_htmx_stays_open_drawn_from_the_saved_ticket(agent):
    ticket = owned_ticket(agent)
    client = client_for(agent)
    first = client.post(
        f"/tickets/{ticket.pk}/details/",
        {
            "status": Status.IN_PROGRESS,
            "eta": "",
            "needed_by": "",
            "expected_updated_at": version(ticket),
        },
        **htmx(),
    )
    content = first.content.decode()
    assert first.status_code == 200
    assert "Ticket updated." in content
    assert 'name="needed_by"' in content  # still open where the agent was
    drawn = first.context["details_form"]
    assert not drawn.is_bound
    assert drawn.initial["expected_updated_at"] == reload(ticket).updated_at
    # So a second change goes through instead of being refused as stale.
    second = client.post(
        f"/tickets/{ticket.pk}/details/",
        {
            "status": Status.WAITING_ON_CUSTOMER,
            "eta": "",
            "needed_by": "",
            "expected_updated_at": drawn.initial["expected_updated_at"].isoformat(),
        },
        **htmx(),
    )
    assert second.status_code == 200
    assert reload(ticket).status == Status.WAITING_ON_CUSTOMER


def test_a_closed_ticket_offers_no_side_form(agent):
    from tickets import services

    ticket = owned_ticket(agent)
    services.change_status(ticket, status=Status.CLOSED, by=agent)
    response = client_for(agent).get(f"/tickets/{ticket.pk}/?form=triage", **htmx())
    assert response.status_code == 400
    assert "is closed" in response.content.decode()


# ---- the timeline ------------------------------------------------------------------------


def test_timeline_entries_are_escaped_and_keep_their_paragraphs(agent, other_agent):
    ticket = owned_ticket(agent)
    update_services.add_internal_note(
        ticket, author=agent, body="<b>bold?</b>\n\nSecond paragraph\nnext line"
    )
    ticket_services_handover(ticket, agent, other_agent, note="Call <them> after 3.\nThanks")
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n<p>Second paragraph<br>\nnext line</p>" in content
    assert f"Handed over from {agent.display_name} to {other_agent.display_name}." in content
    assert "<blockquote>Call &lt;them&gt; after 3.<br>Thanks</blockquote>" in content


def ticket_services_handover(ticket, by, to, *, note):
    from tickets import services

    services.update_ticket(reload(ticket), by=by, changes={"owner": to, "handover_note": note})


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])
def test_timeline_times_read_as_the_date_filter_would(zone):
    from django.utils.formats import date_format

    from tickets.display import DatetimeText

    moments = [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the night London changes clocks
        datetime(2026, 12, 1, 23, 5, tzinfo=UTC),
        datetime(2027, 1, 4, 9, 0, tzinfo=UTC),
    ]
    with timezone.override(zone):
        times = DatetimeText()
        for moment in moments:
            local = timezone.localtime(moment)
            assert times.short(moment) == date_format(local, "D j M, H:i")
            assert times.iso(moment) == date_format(local, "c")
        assert times.short(None) == ""


# ---- ownership ---------------------------------------------------------------------------


def test_take_ownership_in_one_click_triages_a_ticket_whose_problem_is_written(agent):
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(problem_statement="Jams on page two.")
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/own/", {"expected_updated_at": version(ticket)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    ticket = reload(ticket)
    assert ticket.owner == agent
    assert ticket.status == Status.OPEN


def test_take_ownership_with_htmx_answers_the_page_body_with_a_message(agent):
    ticket = TicketFactory()
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/own/", {"expected_updated_at": version(ticket)}, **htmx()
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="ticket-body"')
    assert f"You own {ticket.reference} now." in content


def test_a_stale_form_does_not_overwrite_a_colleagues_change(agent, other_agent):
    ticket = TicketFactory()
    stale = version(ticket)
    client_for(other_agent).post(f"/tickets/{ticket.pk}/own/", {"expected_updated_at": stale})

    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/own/", {"expected_updated_at": stale}, **htmx()
    )

    assert response.status_code == 409
    assert "someone else changed this ticket" in response.content.decode().lower()
    assert reload(ticket).owner == other_agent


def test_handover_needs_a_note_and_keeps_what_was_typed(agent, other_agent):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/handover/",
        {"owner": other_agent.pk, "handover_note": "", "expected_updated_at": version(ticket)},
    )
    assert response.status_code == 400
    assert "Write a handover note" in response.content.decode()
    assert response.context["handover_form"].data["owner"] == str(other_agent.pk)
    assert '<details class="side-form" id="side-handover" open>' in response.content.decode()
    assert reload(ticket).owner == agent


def test_handover_with_a_note_changes_owner_and_records_the_note(agent, other_agent):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/handover/",
        {
            "owner": other_agent.pk,
            "handover_note": "Customer prefers phone calls after 3pm.",
            "expected_updated_at": version(ticket),
        },
    )
    assert response.status_code == 302
    assert reload(ticket).owner == other_agent
    event = TimelineEntry.objects.filter(ticket=ticket, event="owner_changed").last()
    assert event.body == "Customer prefers phone calls after 3pm."


def test_collaborators_can_be_added_and_removed(agent, other_agent):
    ticket = owned_ticket(agent)
    client = client_for(agent)
    response = client.post(f"/tickets/{ticket.pk}/collaborators/", {"user": other_agent.pk})
    assert response.status_code == 302
    assert list(reload(ticket).collaborators.all()) == [other_agent]
    assert (
        "Bob Agent joined as a collaborator."
        in client.get(f"/tickets/{ticket.pk}/").content.decode()
    )

    response = client.post(f"/tickets/{ticket.pk}/collaborators/{other_agent.pk}/remove/")
    assert response.status_code == 302
    assert not reload(ticket).collaborators.exists()


def test_the_owner_cannot_also_be_a_collaborator(agent):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(f"/tickets/{ticket.pk}/collaborators/", {"user": agent.pk})
    assert response.status_code == 400
    assert "already owns this ticket" in response.content.decode()
    assert not reload(ticket).collaborators.exists()


def test_customers_cannot_be_collaborators(agent, contact):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(f"/tickets/{ticket.pk}/collaborators/", {"user": contact.pk})
    assert response.status_code == 400
    assert not reload(ticket).collaborators.exists()


# ---- triage, status and dates, priority ----------------------------------------------------


def test_triage_sets_impact_urgency_and_restates_the_problem(agent):
    ticket = owned_ticket(agent, impact=4, urgency=4)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/triage/",
        {
            "impact": 1,
            "urgency": 2,
            "problem_statement": "Nobody in accounts can sign in since 9am.",
            "expected_updated_at": version(ticket),
        },
    )
    assert response.status_code == 302
    ticket = reload(ticket)
    assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 2, 1)
    assert ticket.problem_statement == "Nobody in accounts can sign in since 9am."
    assert ticket.understanding_confirmed_at is None


def test_triage_rejects_an_impact_outside_1_to_4(agent):
    ticket = owned_ticket(agent, impact=3, urgency=3)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/triage/",
        {"impact": 9, "urgency": 1, "expected_updated_at": version(ticket)},
    )
    assert response.status_code == 400
    assert "impact" in response.context["triage_form"].errors
    assert reload(ticket).impact == 3


def test_priority_preview_shows_the_matrix_result_before_saving(agent):
    client = client_for(agent)
    response = client.get("/tickets/priority-preview/?impact=2&urgency=3")
    assert response.status_code == 200
    assert "P2" in response.content.decode()
    assert client.get("/tickets/priority-preview/?impact=x&urgency=3").status_code == 400


def test_status_and_dates_form_changes_status_and_eta(agent):
    ticket = owned_ticket(agent)
    eta = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/details/",
        {
            "status": Status.IN_PROGRESS,
            "eta": eta.strftime("%Y-%m-%dT%H:%M"),
            "needed_by": "",
            "expected_updated_at": version(ticket),
        },
    )
    assert response.status_code == 302
    ticket = reload(ticket)
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.eta == eta


def test_an_eta_in_the_past_is_refused_in_place(agent):
    ticket = owned_ticket(agent)
    past = (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/details/",
        {"status": ticket.status, "eta": past, "expected_updated_at": version(ticket)},
        **htmx(),
    )
    assert response.status_code == 400
    form = response.context["details_form"]
    assert "already passed" in " ".join(form.errors["eta"])
    assert f'value="{past}"' in response.content.decode()
    assert reload(ticket).eta is None


def test_an_untouched_past_eta_does_not_block_other_changes(agent):
    ticket = owned_ticket(agent)
    Ticket.objects.filter(pk=ticket.pk).update(eta=timezone.now() - timedelta(hours=1))
    ticket = reload(ticket)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/details/",
        {
            "status": Status.IN_PROGRESS,
            "eta": timezone.localtime(ticket.eta).strftime("%Y-%m-%dT%H:%M"),
            "expected_updated_at": version(ticket),
        },
    )
    assert response.status_code == 302
    assert reload(ticket).status == Status.IN_PROGRESS


def test_an_impossible_status_is_refused(agent):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/details/",
        {"status": Status.NEW, "expected_updated_at": version(ticket)},
    )
    assert response.status_code == 400
    assert "status" in response.context["details_form"].errors
    assert reload(ticket).status == Status.OPEN


def test_priority_override_needs_a_reason(agent):
    ticket = owned_ticket(agent, impact=4, urgency=4)
    client = client_for(agent)
    response = client.post(
        f"/tickets/{ticket.pk}/priority/",
        {
            "priority_override": 1,
            "priority_override_reason": "",
            "expected_updated_at": version(ticket),
        },
    )
    assert response.status_code == 400
    assert reload(ticket).priority == 4

    response = client.post(
        f"/tickets/{ticket.pk}/priority/",
        {
            "priority_override": 1,
            "priority_override_reason": "CEO's laptop before the board meeting",
            "expected_updated_at": version(ticket),
        },
    )
    assert response.status_code == 302
    assert reload(ticket).priority == 1


# ---- safety --------------------------------------------------------------------------------


def test_every_action_requires_a_csrf_token(agent):
    ticket = TicketFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(f"/tickets/{ticket.pk}/own/", {"expected_updated_at": version(ticket)})
    assert response.status_code == 403
    assert reload(ticket).owner is None


def test_actions_refuse_get(agent):
    ticket = TicketFactory()
    assert client_for(agent).get(f"/tickets/{ticket.pk}/own/").status_code == 405


def test_a_closed_ticket_offers_no_actions(agent):
    from tickets import services

    ticket = owned_ticket(agent)
    services.change_status(ticket, status=Status.CLOSED, by=agent)
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Save triage" not in content
    assert "Send to customer" not in content
    assert "?form=" not in content


# ---- raising a ticket for a customer ---------------------------------------------------------


def test_staff_raise_a_ticket_for_a_customer(agent, contact):
    response = client_for(agent).post(
        "/tickets/new/",
        {
            "organization": contact.organization.pk,
            "requester": contact.pk,
            "subject": "Phone call: laptop will not boot",
            "description": "Black screen after the logo.",
            "impact": 3,
            "urgency": 2,
            "take_ownership": "on",
        },
    )
    ticket = Ticket.objects.get(subject="Phone call: laptop will not boot")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.owner, ticket.requester, ticket.priority) == (agent, contact, 2)
    assert ticket.next_update_due is not None


def test_raising_a_ticket_with_a_contact_of_another_customer_is_refused(agent, contact):
    other = AgentFactory()  # not a contact at all
    response = client_for(agent).post(
        "/tickets/new/",
        {
            "organization": contact.organization.pk,
            "requester": other.pk,
            "subject": "x",
            "impact": 3,
            "urgency": 3,
        },
    )
    assert response.status_code == 400
    assert "requester" in response.context["form"].errors
    assert not Ticket.objects.exists()
