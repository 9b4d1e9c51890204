"""Recording a loss by hand: no root cause is assumed; the manager picks one."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TicketFactory
from updates.models import Loss, LossCategory


@pytest.fixture
def ticket(organization, agent):
    return TicketFactory(organization=organization, owner=agent)


def test_the_loss_form_starts_with_no_cause_chosen(client, manager, ticket):
    client.force_login(manager)
    page = client.get(f"/dashboard/tickets/{ticket.pk}/loss/").content.decode()
    select = re.search(r'<select name="category".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option[^>]*selected[^>]*>", select) == ['<option value="" selected>']
    assert "Misunderstood problem" in select  # still offered, just not picked


def test_a_loss_without_a_cause_is_refused_and_nothing_is_recorded(client, manager, ticket):
    client.force_login(manager)
    response = client.post(
        f"/dashboard/tickets/{ticket.pk}/loss/",
        {"category": "", "description": "They waited all morning."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the root cause." in page
    assert "They waited all morning." in page  # what was typed stays
    assert not Loss.objects.exists()


def test_revising_a_loss_keeps_its_recorded_cause(client, manager, ticket):
    loss = Loss.objects.create(
        organization=ticket.organization, ticket=ticket, category=LossCategory.WRONG_FIX
    )
    client.force_login(manager)
    page = client.get(f"/dashboard/losses/{loss.pk}/").content.decode()
    assert '<option value="wrong_fix" selected>' in page


@pytest.mark.browser
def test_recording_a_loss_in_the_browser_needs_a_cause(
    live_server, signed_in_page, manager, ticket
):
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/dashboard/tickets/{ticket.pk}/loss/")
    cause = page.get_by_label("Root cause")
    expect(cause).to_have_value("")
    page.get_by_label("What happened").fill("The fix was applied to the wrong mailbox.")
    page.get_by_role("button", name="Record the loss").click()
    expect(page.get_by_text("Choose the root cause.")).to_be_visible()
    assert not Loss.objects.exists()

    page.get_by_label("Root cause").select_option(label="Wrong fix")
    page.get_by_role("button", name="Record the loss").click()
    expect(page).to_have_url(f"{live_server.url}/tickets/{ticket.pk}/")
    assert Loss.objects.get().category == LossCategory.WRONG_FIX
