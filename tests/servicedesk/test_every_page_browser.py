"""Every staff, dashboard and portal page, on the demo's data, on a phone (390 px) and a laptop:
no horizontal scroll on the phone, and each page passes the page checks (tests/page_checks.py:
no CSP violation, no serious or critical axe-core finding) at both sizes."""

import pytest
from django.core.management import call_command

from accounts.models import User
from demo.demo_data import CONTACTS, STAFF
from inbound import services as inbound_services
from incidents import services as incident_services
from saved_replies.services import create_reply
from tests.browser import LAPTOP, PHONE, save_screenshot
from tests.page_checks import assert_accessible
from tickets.models import Ticket
from updates.feedback import record_loss
from updates.models import LossCategory
from vendors.models import Vendor, VendorEscalation
from webhooks.models import Subscription

pytestmark = pytest.mark.browser

PAGE_WIDTH = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    # The ticket whose promise falls due first (the demo has no breach yet): the reassign page's.
    late = Ticket.objects.exclude(next_update_due=None).order_by("next_update_due").first()
    contact = User.objects.get(email=CONTACTS["priya"][0])
    customer_ticket = Ticket.objects.filter(requester=contact).order_by("-created_at").first()
    manager = User.objects.get(email=STAFF["manager"][0])
    loss = record_loss(
        organization=late.organization,
        category=LossCategory.values[0],
        description="Waited a day for news of the mailbox.",
        recorded_by=manager,
        ticket=late,
    )
    return {
        **v1_2_records(manager, late),
        "manager": manager,
        "agent": User.objects.get(email=STAFF["alice"][0]),
        "contact": contact,
        "late": late,
        "customer_ticket": customer_ticket,
        "vendor": Vendor.objects.order_by("pk").first(),
        "escalation": VendorEscalation.objects.order_by("pk").first(),
        "loss": loss,
    }


def v1_2_records(manager: User, ticket: Ticket) -> dict:
    """One of each thing the v1.1 and v1.2 pages show, beside the demo's tickets."""
    incident = incident_services.create_incident(
        by=manager, title="Email delayed for every customer", summary="Mail queues at the relay."
    )
    incident_services.link_ticket(incident, ticket, by=manager)
    inbound = inbound_services.store(INBOUND_FROM_A_STRANGER)
    inbound_services.act(inbound.pk)
    subscription = Subscription.objects.create(
        url="https://hooks.example.test/desk", events=["*"], secret="s" * 32, created_by=manager
    )
    create_reply(author=manager, title="Printer fixed", body="The printer is printing again.")
    return {"incident": incident, "inbound": inbound, "subscription": subscription}


# Nobody the desk knows sent it: it waits in quarantine on /inbound/.
INBOUND_FROM_A_STRANGER = (
    b"From: Stranger <someone@unknown.example>\r\nTo: help@desk.example\r\n"
    b"Subject: Our printer is on fire\r\nMessage-ID: <every-page-1@unknown.example>\r\n"
    b"Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n\r\nPlease call me back.\r\n"
)


def staff_pages(demo) -> list[str]:
    late, vendor = demo["late"].pk, demo["vendor"].pk
    return [
        "/",
        "/?view=all",
        "/triage/",
        "/tickets/new/",
        f"/tickets/{late}/",
        "/notifications/",
        "/status/",
        "/vendors/",
        "/vendors/new/",
        f"/vendors/{vendor}/",
        f"/vendors/{vendor}/edit/",
        f"/vendors/escalations/{demo['escalation'].pk}/",
        "/dashboard/",
        "/dashboard/losses/",
        f"/dashboard/losses/{demo['loss'].pk}/",
        f"/dashboard/tickets/{late}/reassign/",
        f"/dashboard/tickets/{late}/loss/",
        # v1.1 and v1.2 pages
        "/incidents/",
        f"/incidents/{demo['incident'].pk}/",
        "/inbound/",
        f"/inbound/{demo['inbound'].pk}/",
        "/replies/",
        "/webhooks/",
        f"/webhooks/{demo['subscription'].pk}/",
        "/billing/",
        f"/billing/organizations/{demo['late'].organization_id}/",
        "/audit/",
        "/account/two-factor/",
        "/account/sessions/",
        "/account/notifications/",
    ]


def portal_pages(demo) -> list[str]:
    return [
        "/portal/",
        "/portal/new/",
        f"/portal/tickets/{demo['customer_ticket'].pk}/",
        "/portal/organisation/sign-in/",
    ]


SIGNED_OUT_PAGES = ["/login/", "/portal/login/", "/portal/sign-in-link/", "/password-reset/"]


def walk(page, base_url: str, paths: list[str], *, phone: bool, name: str) -> None:
    wide = []
    for path in paths:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
        if phone:
            scroll_width, inner_width = page.evaluate(PAGE_WIDTH)
            if scroll_width > inner_width:
                wide.append(f"{path}: {scroll_width} px wide")
                save_screenshot(page, f"too-wide-{name}-{path.strip('/').replace('/', '-')}")
    assert not wide, "pages scroll sideways on a phone:\n" + "\n".join(wide)


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_staff_pages_fit_a_phone_and_pass_the_checks(live_server, signed_in_page, demo, size):
    viewport = PHONE if size == "phone" else LAPTOP
    page = signed_in_page(demo["manager"], viewport)
    walk(page, live_server.url, staff_pages(demo), phone=size == "phone", name="staff")

    agent_page = signed_in_page(demo["agent"], viewport)
    walk(agent_page, live_server.url, ["/dashboard/mine/"], phone=size == "phone", name="agent")


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_portal_pages_fit_a_phone_and_pass_the_checks(
    live_server, signed_in_page, new_page, demo, size
):
    viewport = PHONE if size == "phone" else LAPTOP
    page = signed_in_page(demo["contact"], viewport)
    walk(page, live_server.url, portal_pages(demo), phone=size == "phone", name="portal")

    signed_out = new_page(viewport)
    walk(signed_out, live_server.url, SIGNED_OUT_PAGES, phone=size == "phone", name="signed-out")
