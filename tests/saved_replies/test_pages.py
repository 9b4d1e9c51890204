"""The composer's saved-reply picker without JavaScript, and the staff page of saved replies."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from saved_replies.models import SavedReply
from tests.factories import TicketFactory
from tests.tickets.helpers import client_for, version
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def ticket(organization, contact, agent):
    return TicketFactory(organization=organization, requester=contact, owner=agent)


def reply(author, **fields) -> SavedReply:
    values = {
        "title": "Still on it",
        "body": "Hi {{ customer.first_name }}, still on it.",
        **fields,
    }
    return SavedReply.objects.create(author=author, **values)


def test_insert_fills_the_composer_with_the_text_status_and_promise(agent, ticket):
    saved = reply(agent, status="in_progress", next_update_minutes=120)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/public/",
        {"action": "insert_reply", "saved_reply": saved.pk, "body": "", "promise": "default"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Hi Priya, still on it.</textarea>" in content
    assert 'value="2h" checked' in content
    assert '<option value="in_progress" selected>' in content
    assert f'name="used_reply" value="{saved.pk}"' in content
    assert not TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE).exists()


def test_sending_an_inserted_reply_counts_one_use(agent, ticket):
    saved = reply(agent)
    client = client_for(agent)
    response = client.post(
        f"/tickets/{ticket.pk}/updates/public/",
        {
            "action": "send",
            "body": "Hi Priya, still on it.",
            "promise": "default",
            "status": ticket.status,
            "used_reply": saved.pk,
            "expected_updated_at": version(ticket),
        },
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.usage_count == 1


def test_a_reply_promising_an_odd_time_sets_a_custom_pick(agent, ticket):
    saved = reply(agent, next_update_minutes=45)
    with time_machine.travel(NOW, tick=False):
        response = client_for(agent).post(
            f"/tickets/{ticket.pk}/updates/public/",
            {"action": "insert_reply", "saved_reply": saved.pk, "body": "Typed first."},
        )
    content = response.content.decode()
    assert "Typed first.\n\nHi Priya, still on it.</textarea>" in content
    assert 'value="custom" checked' in content
    local = (NOW + timedelta(minutes=45)).astimezone(ZoneInfo(agent.effective_timezone))
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in content


def test_the_composer_lists_shared_replies_and_my_own_only(agent, other_agent, manager, ticket):
    reply(agent, title="Mine")
    reply(other_agent, title="Bob's")
    reply(manager, title="Team", shared=True)
    content = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert ">Mine</option>" in content
    assert ">Team (shared)</option>" in content
    assert "Bob&#x27;s" not in content


def test_an_agent_saves_a_personal_reply_on_the_page(agent):
    client = client_for(agent)
    response = client.post(
        "/replies/", {"title": "Thanks", "body": "Thanks {{ customer.first_name }}!"}
    )
    assert response.status_code == 302
    saved = SavedReply.objects.get()
    assert (saved.author, saved.shared) == (agent, False)


def test_a_bad_variable_is_a_form_error_on_the_page(agent):
    response = client_for(agent).post("/replies/", {"title": "T", "body": "{{ customer.email }}"})
    assert response.status_code == 400
    assert "Unknown variable" in response.content.decode()
    assert not SavedReply.objects.exists()


def test_managers_see_usage_counts_and_agents_cannot_edit_shared_ones(agent, manager):
    shared = reply(manager, shared=True, usage_count=7)
    manager_page = client_for(manager).get("/replies/").content.decode()
    assert "<td>7</td>" in manager_page
    agent_page = client_for(agent).get("/replies/").content.decode()
    assert "<td>7</td>" not in agent_page
    assert f"/replies/{shared.pk}/" not in agent_page
    assert client_for(agent).get(f"/replies/{shared.pk}/").status_code == 403
    assert client_for(agent).post(f"/replies/{shared.pk}/delete/").status_code == 403
    assert client_for(manager).post(f"/replies/{shared.pk}/delete/").status_code == 302
    assert not SavedReply.objects.exists()


def test_contacts_get_404_on_the_saved_reply_pages(contact, agent):
    mine = reply(agent)
    assert client_for(contact).get("/replies/").status_code == 404
    assert client_for(contact).get(f"/replies/{mine.pk}/").status_code == 404
