"""Every staff, dashboard and portal page, on the demo's data, on a phone (390 px) and a laptop:
no horizontal scroll on the phone, and each page passes the page checks (tests/page_checks.py:
no CSP violation, no serious or critical axe-core finding) at both sizes."""

import pytest
from django.core.management import call_command

from accounts.models import User
from demo.demo_data import CONTACTS, STAFF
from tests.browser import LAPTOP, PHONE, save_screenshot
from tests.page_checks import assert_accessible
from tickets.models import Ticket
from updates.feedback import record_loss
from updates.models import LossCategory
from vendors.models import Vendor, VendorEscalation

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
        "manager": manager,
        "agent": User.objects.get(email=STAFF["alice"][0]),
        "contact": contact,
        "late": late,
        "customer_ticket": customer_ticket,
        "vendor": Vendor.objects.order_by("pk").first(),
        "escalation": VendorEscalation.objects.order_by("pk").first(),
        "loss": loss,
    }


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
    ]


def portal_pages(demo) -> list[str]:
    return ["/portal/", "/portal/new/", f"/portal/tickets/{demo['customer_ticket'].pk}/"]


SIGNED_OUT_PAGES = ["/login/", "/portal/login/", "/portal/sign-in-link/"]


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
