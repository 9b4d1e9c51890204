"""The ticket page: the public timeline, our understanding with Confirm / not quite, and replies."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ContactFactory, TicketFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.models import EntryKind, Promise, PromiseOutcome, TimelineEntry

pytestmark = pytest.mark.django_db


def page(ticket):
    return reverse("portal:ticket", args=[ticket.pk])


def test_the_page_shows_owner_promise_eta_and_public_timeline(portal_client, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    update_services.post_public_update(ticket, author=agent, body="Engineer booked for 2pm.")
    update_services.add_internal_note(ticket, author=agent, body="Engineer is a contractor")

    body = portal_client.get(page(ticket)).content.decode()

    assert "The warehouse printer jams" in body
    assert "Every label print jams since Monday." in body
    assert "Alice Agent" in body
    assert "Next update by" in body
    assert "Engineer booked for 2pm." in body
    assert "We received your request." in body
    assert "contractor" not in body


def test_the_page_shows_times_in_the_contacts_time_zone(client, contact, agent):
    contact.timezone = "Asia/Tokyo"
    contact.save()
    # A fixed clock: the ETA must be in the future, and a date in another year shows its year.
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), tick=False):
        ticket = TicketFactory(organization=contact.organization, requester=contact)
        ticket_services.take_ownership(ticket, by=agent)
        ticket_services.set_eta(ticket, eta=datetime(2027, 5, 1, 9, 0, tzinfo=UTC), by=agent)
        client.force_login(contact)
        body = client.get(page(ticket)).content.decode()

    assert "Sat 1 May 2027, 18:00" in body  # 09:00 UTC is 18:00 in Tokyo
    assert "Asia/Tokyo" in body


def test_a_far_future_moment_stored_before_the_bounds_still_shows(client, contact, agent):
    """Year-9999 deadlines were accepted once (the API took them): the page must not fail on
    them for a contact east of UTC, whose local time would be in year 10000."""
    contact.timezone = "Pacific/Kiritimati"
    contact.save()
    ticket = TicketFactory(organization=contact.organization, requester=contact)
    far = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    Ticket.objects.filter(pk=ticket.pk).update(needed_by=far, eta=far)
    client.force_login(contact)

    for url in (page(ticket), reverse("portal:tickets")):
        response = client.get(url)
        assert response.status_code == 200
    assert "31 Dec 9999, 23:00" in client.get(page(ticket)).content.decode()


def test_the_understanding_can_be_confirmed(portal_client, contact, agent, ticket):
    ticket_services.restate_problem(
        ticket, problem_statement="Label printer jams on thick labels only.", by=agent
    )
    body = portal_client.get(page(ticket)).content.decode()
    assert "Label printer jams on thick labels only." in body
    assert "Yes, that's it" in body

    response = portal_client.post(reverse("portal:confirm", args=[ticket.pk]))

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.understanding_confirmed_at is not None
    assert TimelineEntry.objects.filter(
        ticket=ticket, event="understanding_confirmed", author=contact
    ).exists()
    after = portal_client.get(page(ticket)).content.decode()
    assert "✓ Confirmed" in after
    assert "Yes, that's it" not in after


def test_confirming_without_a_restatement_explains_and_writes_nothing(portal_client, ticket):
    response = portal_client.post(reverse("portal:confirm", args=[ticket.pk]), follow=True)

    assert "no restatement of the problem to confirm" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.understanding_confirmed_at is None


def test_confirm_only_accepts_post(portal_client, agent, ticket):
    ticket_services.restate_problem(ticket, problem_statement="Jams.", by=agent)

    response = portal_client.get(reverse("portal:confirm", args=[ticket.pk]))

    assert response.status_code == 405
    ticket.refresh_from_db()
    assert ticket.understanding_confirmed_at is None


def test_not_quite_it_posts_the_correction_as_a_reply(portal_client, contact, agent, ticket):
    ticket_services.restate_problem(ticket, problem_statement="Printer is offline.", by=agent)

    response = portal_client.post(
        reverse("portal:not_quite", args=[ticket.pk]), {"body": "It prints, but jams."}
    )

    assert response.status_code == 302
    reply = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.CUSTOMER_REPLY)
    assert reply.body == "That's not quite it: It prints, but jams."
    assert reply.author == contact
    assert reply.is_public
    ticket.refresh_from_db()
    assert ticket.understanding_confirmed_at is None


def test_an_empty_not_quite_reply_is_refused_with_a_message(portal_client, agent, ticket):
    ticket_services.restate_problem(ticket, problem_statement="Printer is offline.", by=agent)

    response = portal_client.post(reverse("portal:not_quite", args=[ticket.pk]), {"body": " "})

    assert response.status_code == 400
    assert "Tell us what we missed, so we can put it right." in response.content.decode()
    assert not TimelineEntry.objects.filter(kind=EntryKind.CUSTOMER_REPLY).exists()


def test_a_reply_appears_on_the_timeline(portal_client, contact, ticket):
    response = portal_client.post(
        reverse("portal:reply", args=[ticket.pk]), {"body": "It happened again at 3pm."}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#conversation")
    entry = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.CUSTOMER_REPLY)
    assert entry.body == "It happened again at 3pm."
    assert entry.author == contact
    body = portal_client.get(page(ticket)).content.decode()
    assert "It happened again at 3pm." in body


def test_an_empty_reply_answers_400_and_writes_nothing(portal_client, ticket):
    response = portal_client.post(reverse("portal:reply", args=[ticket.pk]), {"body": ""})

    assert response.status_code == 400
    assert "Write your reply first." in response.content.decode()
    assert not TimelineEntry.objects.filter(kind=EntryKind.CUSTOMER_REPLY).exists()


def test_an_oversized_reply_answers_400_naming_the_field(portal_client, ticket):
    response = portal_client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "x" * 50_001})

    assert response.status_code == 400
    assert "Keep it to 50000 characters or fewer" in response.content.decode()
    assert not TimelineEntry.objects.filter(kind=EntryKind.CUSTOMER_REPLY).exists()


def test_an_htmx_reply_returns_the_conversation_fragment(portal_client, ticket):
    response = portal_client.post(
        reverse("portal:reply", args=[ticket.pk]),
        {"body": "Thanks!"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card conversation" id="conversation"')
    assert "Thanks!" in body


def test_a_reply_reopens_a_ticket_waiting_on_the_customer_and_restarts_the_promise(
    portal_client, agent, ticket
):
    ticket_services.take_ownership(ticket, by=agent)
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), tick=False):
        ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
        assert Ticket.objects.get(pk=ticket.pk).next_update_due is None

    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), tick=False):
        response = portal_client.post(
            reverse("portal:reply", args=[ticket.pk]), {"body": "Here is the photo."}
        )
        follow = portal_client.get(response["Location"])

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    # P3 updates every business day (10 h): 09:00 Wednesday + 10 business hours is 09:00 Thursday.
    assert ticket.next_update_due == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    assert Promise.objects.filter(ticket=ticket, outcome=PromiseOutcome.PENDING).count() == 1
    assert "We&#x27;ll update you by" in follow.content.decode()


def test_a_reply_reopens_a_resolved_ticket(portal_client, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)

    portal_client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Broken again."})

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.next_update_due is not None


def test_a_closed_ticket_offers_no_reply_form_and_refuses_a_reply(portal_client, agent, ticket):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.CLOSED, by=agent)

    body = portal_client.get(page(ticket)).content.decode()
    response = portal_client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Hello?"})

    assert "Send reply" not in body
    assert response.status_code == 400
    assert "please raise a new request" in response.content.decode()
    assert not TimelineEntry.objects.filter(kind=EntryKind.CUSTOMER_REPLY).exists()


def test_an_overdue_promise_is_owned_up_to(portal_client, ticket):
    with time_machine.travel(ticket.next_update_due + timedelta(minutes=5), tick=False):
        body = portal_client.get(page(ticket)).content.decode()

    assert "We're late with this update, sorry." in body


def test_a_long_history_shows_the_latest_updates_with_the_rest_one_link_away(
    portal_client, agent, ticket
):
    start = ticket.created_at + timedelta(minutes=1)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            ticket=ticket,
            kind=EntryKind.PUBLIC_UPDATE,
            is_public=True,
            author=agent,
            body=f"Progress note number {n:03d}.",
            created_at=start + timedelta(minutes=n),
        )
        for n in range(60)
    )

    latest = portal_client.get(page(ticket)).content.decode()
    everything = portal_client.get(page(ticket) + "?timeline=all").content.decode()

    assert "Progress note number 059." in latest
    assert "Progress note number 010." in latest  # the 50th newest
    assert "Progress note number 009." not in latest
    assert "We received your request." not in latest  # the oldest entry
    assert "?timeline=all" in latest
    assert latest.index("number 010") < latest.index("number 059")  # still oldest first
    assert "Progress note number 000." in everything
    assert "We received your request." in everything
    assert "?timeline=all" not in everything


def _queries_for(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


def test_the_page_runs_the_same_few_queries_for_a_short_or_a_long_history(
    portal_client, agent, ticket
):
    short = _queries_for(portal_client, page(ticket))
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            ticket=ticket,
            kind=EntryKind.PUBLIC_UPDATE,
            is_public=True,
            author=agent,
            body=f"Progress note number {n:03d}.",
            created_at=ticket.created_at + timedelta(minutes=n + 1),
        )
        for n in range(80)
    )
    long = _queries_for(portal_client, page(ticket))

    assert len(short) == len(long)
    # The ticket's visibility is checked by the ticket's query and again inside the timeline's,
    # not by a separate query; the staff-only search columns are never read.
    timeline = [sql for sql in long if "updates_timelineentry" in sql and "LIMIT 51" in sql]
    assert len(timeline) == 1
    assert '"organization_id" = ' in timeline[0]
    assert not any("internal_search_text" in sql or "public_search_text" in sql for sql in long)


def test_a_ticket_with_no_public_history_yet_still_opens(portal_client, ticket):
    TimelineEntry.objects.filter(ticket=ticket).delete()

    assert portal_client.get(page(ticket)).status_code == 200


def test_another_organisations_ticket_is_404_even_with_its_history_asked_for(
    client, other_organization, ticket
):
    outsider = ContactFactory(organization=other_organization, sees_organization_tickets=True)
    client.force_login(outsider)

    for url in (page(ticket), page(ticket) + "?timeline=all"):
        response = client.get(url)
        assert response.status_code == 404
        assert ticket.subject not in response.content.decode()
