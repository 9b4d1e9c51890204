"""The portal tested as an attacker would: guessed ids and references, tampered form fields,
direct URLs, search, and canary strings in staff-only data that must never reach a customer."""

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Organization
from tests.factories import ContactFactory, TicketFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.events import record_event
from updates.keeper.delivery import deliver
from updates.models import EntryKind, Feedback, Loss, OutboxKind, OutboxMessage, TimelineEntry

pytestmark = pytest.mark.django_db

CANARIES = (
    "CANARY-INTERNAL-NOTE",
    "CANARY-OVERRIDE-REASON",
    "CANARY-HANDOVER-NOTE",
    "CANARY-EVENT-DATA",
    "CANARY-EVENT-BODY",
    "CANARY-COLLEAGUE-SUBJECT",
    "CANARY-COLLEAGUE-NAME",
    "CANARY-OTHER-ORG-SUBJECT",
    "CANARY-OTHER-ORG-DESCRIPTION",
    "CANARY-OTHER-CUSTOMER-NAME",
    "CANARY-OTHER-ORG-REPLY",
    "@msp.test",  # staff email addresses
)


@pytest.fixture
def staff_history(contact, agent, other_agent, ticket):
    """Priya's ticket with everything staff might write about it, each piece a canary."""
    ticket_services.take_ownership(ticket, by=agent)
    update_services.add_internal_note(ticket, author=agent, body="CANARY-INTERNAL-NOTE")
    ticket_services.override_priority(ticket, priority=1, reason="CANARY-OVERRIDE-REASON", by=agent)
    ticket_services.assign_owner(
        ticket, owner=other_agent, by=agent, handover_note="CANARY-HANDOVER-NOTE"
    )
    record_event(
        ticket,
        "vendor_escalated",
        at=ticket.created_at,
        by=agent,
        body="CANARY-EVENT-BODY",
        vendor="CANARY-EVENT-DATA",
    )
    ticket_services.restate_problem(
        ticket, problem_statement="Label printer jams on thick stock.", by=other_agent
    )
    update_services.post_public_update(
        ticket, author=other_agent, body="A new fuser is on its way; fitting it at 2pm."
    )
    ticket_services.change_status(ticket, status=Status.WAITING_ON_VENDOR, by=other_agent)
    return ticket


@pytest.fixture
def colleagues_ticket(organization):
    colleague = ContactFactory(
        name="CANARY-COLLEAGUE-NAME",
        email="canary.colleague@northwind.test",
        organization=organization,
    )
    return TicketFactory(
        organization=organization, requester=colleague, subject="CANARY-COLLEAGUE-SUBJECT"
    )


@pytest.fixture
def foreign_ticket(other_organization):
    foreigner = ContactFactory(
        name="CANARY-OTHER-CUSTOMER-NAME",
        email="canary@contoso.test",
        organization=other_organization,
    )
    foreign = TicketFactory(
        organization=other_organization,
        requester=foreigner,
        subject="CANARY-OTHER-ORG-SUBJECT",
        description="CANARY-OTHER-ORG-DESCRIPTION",
    )
    update_services.post_customer_reply(foreign, author=foreigner, body="CANARY-OTHER-ORG-REPLY")
    return foreign


def assert_no_canary(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary} leaked into {where}"
    assert "vendor" not in text.lower(), f"the word vendor leaked into {where}"


def test_no_canary_reaches_any_portal_page_a_contact_can_open(
    client,
    contact,
    staff_history,
    colleagues_ticket,
    foreign_ticket,
    django_capture_on_commit_callbacks,
):
    client.force_login(contact)
    ticket = staff_history
    pages = [reverse("portal:tickets")]
    for scope in ("mine", "organization"):
        for state in ("open", "closed", "all"):
            pages.append(f"{reverse('portal:tickets')}?scope={scope}&state={state}")
    searches = [*CANARIES, "vendor", colleagues_ticket.reference, foreign_ticket.reference]
    pages += [
        reverse("portal:ticket", args=[ticket.pk]),
        reverse("portal:ticket", args=[ticket.pk]) + "?new=1",
        reverse("portal:feedback", args=[ticket.pk]),
        reverse("portal:new_request"),
    ]
    seen = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_canary(response.content.decode(), url)
        seen.append(response.content.decode())
    for query in searches:
        response = client.get(reverse("portal:tickets"), {"state": "all", "q": query})
        assert response.context["tickets"] == []
        # The search box echoes the query back; everything else must be clean.
        assert_no_canary(response.content.decode().replace(query, ""), f"a search for {query}")
    htmx = client.get(reverse("portal:tickets"), {"state": "all"}, headers={"HX-Request": "true"})
    assert_no_canary(htmx.content.decode(), "the htmx list fragment")

    with django_capture_on_commit_callbacks(execute=True):
        replied = client.post(
            reverse("portal:reply", args=[ticket.pk]),
            {"body": "Thanks for the update."},
            headers={"HX-Request": "true"},
        )
        confirmed = client.post(reverse("portal:confirm", args=[ticket.pk]), follow=True)
    assert_no_canary(replied.content.decode(), "the htmx reply fragment")
    assert_no_canary(confirmed.content.decode(), "the page after confirming")
    for message in mail.outbox:
        assert_no_canary(message.subject + message.body, f"the email to {message.to}")

    # The customer did see what they should: the public update, the statement, the status.
    ticket_page = seen[-4]
    assert "A new fuser is on its way" in ticket_page
    assert "Label printer jams on thick stock." in ticket_page
    assert "In progress" in ticket_page
    assert "Bob Agent" in ticket_page  # the current owner, by name


@pytest.mark.parametrize("route", ["portal:ticket", "portal:feedback"])
def test_another_organisations_ticket_answers_404_to_a_direct_url(client, outsider, ticket, route):
    client.force_login(outsider)

    assert client.get(reverse(route, args=[ticket.pk])).status_code == 404


def test_a_404_for_a_real_foreign_ticket_looks_exactly_like_one_for_no_ticket(
    client, outsider, ticket
):
    client.force_login(outsider)

    real = client.get(reverse("portal:ticket", args=[ticket.pk]))
    missing = client.get(reverse("portal:ticket", args=[ticket.pk + 10_000]))

    assert real.status_code == missing.status_code == 404
    assert real.content == missing.content


def test_guessing_every_id_reveals_only_the_contacts_own_tickets(
    client, contact, ticket, colleagues_ticket, foreign_ticket
):
    own_second = TicketFactory(organization=contact.organization, requester=contact)
    client.force_login(contact)
    highest = Ticket.objects.order_by("-pk").first().pk

    reachable = {
        pk
        for pk in range(1, highest + 5)
        if client.get(reverse("portal:ticket", args=[pk])).status_code == 200
    }

    assert reachable == {ticket.pk, own_second.pk}


@pytest.mark.parametrize(
    ("route", "data"),
    [
        ("portal:reply", {"body": "Let me in"}),
        ("portal:not_quite", {"body": "Let me in"}),
        ("portal:confirm", {}),
        ("portal:feedback", {"kept_informed": "1", "resolved": "1"}),
    ],
)
def test_writes_to_another_organisations_ticket_answer_404_and_write_nothing(
    client, outsider, agent, ticket, route, data
):
    ticket_services.restate_problem(ticket, problem_statement="Jams.", by=agent)
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    entries_before = TimelineEntry.objects.count()
    client.force_login(outsider)

    response = client.post(reverse(route, args=[ticket.pk]), data)

    assert response.status_code == 404
    assert TimelineEntry.objects.count() == entries_before
    ticket.refresh_from_db()
    assert ticket.understanding_confirmed_at is None
    assert ticket.status == Status.RESOLVED
    assert not Feedback.objects.exists()
    assert not Loss.objects.exists()


def test_a_contact_who_is_not_an_admin_cannot_open_a_colleagues_ticket(
    portal_client, colleagues_ticket
):
    response = portal_client.get(reverse("portal:ticket", args=[colleagues_ticket.pk]))
    reply = portal_client.post(
        reverse("portal:reply", args=[colleagues_ticket.pk]), {"body": "Peek"}
    )

    assert response.status_code == 404
    assert reply.status_code == 404


def test_searching_another_organisations_reference_finds_nothing(client, outsider, ticket):
    client.force_login(outsider)

    for query in (ticket.reference, str(ticket.pk), "warehouse printer"):
        body = client.get(
            reverse("portal:tickets"), {"q": query, "state": "all", "scope": "organization"}
        )
        assert ticket.subject not in body.content.decode()


def test_a_tampered_new_request_cannot_choose_organisation_requester_status_or_owner(
    client, outsider, contact, agent, organization
):
    client.force_login(outsider)

    client.post(
        reverse("portal:new_request"),
        {
            "subject": "Sneaky",
            "description": "Trying to file this for someone else.",
            "impact": "minor",
            "urgency": "whenever",
            "people_affected": "1",
            "preferred_contact": "email",
            "organization": organization.pk,
            "requester": contact.pk,
            "owner": agent.pk,
            "status": "resolved",
            "priority": "1",
            "visibility": "internal",
        },
    )

    created = Ticket.objects.get(subject="Sneaky")
    assert created.organization == outsider.organization
    assert created.requester == outsider
    assert created.owner is None
    assert created.status == Status.NEW
    assert created.priority == 4
    assert (
        not Organization.objects.get(pk=organization.pk).tickets.filter(subject="Sneaky").exists()
    )


def test_a_tampered_reply_is_always_a_public_customer_reply_on_the_url_ticket(
    portal_client, contact, agent, ticket, foreign_ticket
):
    portal_client.post(
        reverse("portal:reply", args=[ticket.pk]),
        {
            "body": "Tampered",
            "visibility": "internal",
            "kind": "internal_note",
            "is_public": "false",
            "author": agent.pk,
            "ticket": foreign_ticket.pk,
            "status": "closed",
        },
    )

    entry = TimelineEntry.objects.get(body="Tampered")
    assert entry.ticket == ticket
    assert entry.kind == EntryKind.CUSTOMER_REPLY
    assert entry.is_public is True
    assert entry.author == contact
    ticket.refresh_from_db()
    assert ticket.status != Status.CLOSED


def test_staff_get_no_portal_data_even_with_a_ticket_id(client, agent, ticket):
    client.force_login(agent)

    response = client.get(reverse("portal:ticket", args=[ticket.pk]))

    assert response.status_code == 403
    assert ticket.subject not in response.content.decode()


def test_the_portal_never_imports_the_vendors_app():
    portal_dir = Path(__file__).resolve().parents[2] / "portal"
    for source in portal_dir.rglob("*.py"):
        tree = ast.parse(source.read_text(), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert not module.startswith("vendors"), f"{source} imports {module}"


def test_no_canary_reaches_any_email_the_customer_is_sent(
    contact, agent, staff_history, mailoutbox
):
    """Acknowledgement, public update and resolution, rendered and delivered as the customer
    gets them: none carries internal data, however much staff wrote around them."""
    ticket_services.change_status(staff_history, status=Status.IN_PROGRESS, by=agent)
    update_services.post_public_update(
        staff_history, author=agent, body="All fixed.", status=Status.RESOLVED
    )
    customer_messages = OutboxMessage.objects.filter(alert__isnull=True, recipient=contact)
    kinds = set(customer_messages.values_list("kind", flat=True))
    assert kinds >= {
        OutboxKind.CUSTOMER_ACKNOWLEDGEMENT,
        OutboxKind.CUSTOMER_UPDATE,
        OutboxKind.CUSTOMER_RESOLUTION,
    }

    deliver(list(customer_messages.values_list("pk", flat=True)))

    assert len(mailoutbox) == customer_messages.count()
    for message in mailoutbox:
        html = message.alternatives[0][0] if message.alternatives else ""
        assert_no_canary(message.subject + message.body + html, f"the email {message.subject!r}")


def test_a_404_for_a_write_to_a_foreign_ticket_looks_exactly_like_one_for_no_ticket(
    client, outsider, ticket
):
    client.force_login(outsider)

    real = client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Hi"})
    missing = client.post(reverse("portal:reply", args=[ticket.pk + 10_000]), {"body": "Hi"})

    assert real.status_code == missing.status_code == 404
    assert real.content == missing.content


def test_a_tampered_not_quite_is_a_public_reply_on_the_url_ticket(
    portal_client, contact, agent, ticket, foreign_ticket
):
    ticket_services.restate_problem(ticket, problem_statement="Jams.", by=agent)

    portal_client.post(
        reverse("portal:not_quite", args=[ticket.pk]),
        {
            "body": "Tampered correction",
            "visibility": "internal",
            "ticket": foreign_ticket.pk,
            "author": agent.pk,
            "problem_statement": "Rewritten by the customer",
        },
    )

    entry = TimelineEntry.objects.get(body__endswith="Tampered correction")
    assert (entry.ticket, entry.kind, entry.is_public, entry.author) == (
        ticket,
        EntryKind.CUSTOMER_REPLY,
        True,
        contact,
    )
    ticket.refresh_from_db()
    assert ticket.problem_statement == "Jams."
    assert not foreign_ticket.timeline.filter(body__contains="Tampered").exists()


def test_tampered_feedback_lands_on_the_url_ticket_as_the_signed_in_contact(
    portal_client, contact, agent, ticket, foreign_ticket
):
    ticket_services.take_ownership(ticket, by=agent)
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)

    portal_client.post(
        reverse("portal:feedback", args=[ticket.pk]),
        {
            "kept_informed": "5",
            "resolved": "5",
            "ticket": foreign_ticket.pk,
            "author": agent.pk,
            "organization": foreign_ticket.organization_id,
        },
    )

    feedback = Feedback.objects.get()
    assert feedback.ticket == ticket
    assert feedback.author == contact


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/triage/",
        "/tickets/{pk}/",
        "/tickets/{pk}/details/",
        "/dashboard/",
        "/notifications/",
        "/admin/tickets/ticket/{pk}/change/",
    ],
)
def test_a_contact_gets_nothing_from_a_staff_url(client, contact, staff_history, url):
    client.force_login(contact)

    response = client.get(url.format(pk=staff_history.pk))

    assert response.status_code in (302, 403, 404), url
    assert_no_canary(response.content.decode(), url)
    assert staff_history.subject not in response.content.decode()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/tickets/{pk}/updates/note/", {"body": "Contact-written internal note"}),
        ("/tickets/{pk}/updates/public/", {"body": "Contact-written public update"}),
        ("/tickets/{pk}/own/", {}),
        ("/tickets/{pk}/priority/", {"priority": "1", "reason": "Contact says so"}),
    ],
)
def test_a_contact_cannot_write_through_a_staff_url(client, contact, ticket, url, data):
    client.force_login(contact)
    entries_before = TimelineEntry.objects.count()

    response = client.post(url.format(pk=ticket.pk), data)

    assert response.status_code in (302, 403, 404), url
    assert TimelineEntry.objects.count() == entries_before
    ticket.refresh_from_db()
    assert ticket.owner is None
    assert ticket.priority_override is None


def test_a_reference_in_the_url_is_not_a_way_in(portal_client, ticket, foreign_ticket):
    for guess in (ticket.reference, foreign_ticket.reference, "-1", "0"):
        assert portal_client.get(f"/portal/tickets/{guess}/").status_code == 404
