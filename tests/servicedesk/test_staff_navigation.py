"""One navigation for staff: every page an agent or manager works on has the same top bar (the
staff/_nav.html partial that base.html includes), and the dashboard pages share one set of tabs."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TicketFactory
from tests.vendors.factories import VendorFactory

MAIN_NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
DASHBOARD_TABS = re.compile(r'<nav class="views" aria-label="Dashboard pages">(.*?)</nav>', re.S)


def staff_pages(ticket_pk: int, vendor_pk: int) -> list[str]:
    return [
        "/",
        "/triage/",
        "/tickets/new/",
        f"/tickets/{ticket_pk}/",
        "/notifications/",
        "/vendors/",
        f"/vendors/{vendor_pk}/",
        "/dashboard/mine/",
        "/status/",
    ]


MANAGER_PAGES = ["/dashboard/", "/dashboard/losses/"]


def _links(html: str, pattern: re.Pattern) -> list[str]:
    """The nav's links and buttons as text, without the marker of the current page."""
    (nav,) = pattern.findall(html)
    nav = re.sub(r'\s*(aria-current="page"|class="current")', "", nav)
    nav = re.sub(r'<a href="/notifications/".*?</a>', "[bell]", nav, flags=re.S)
    return re.findall(r"<(?:a|button)[^>]*>.*?</(?:a|button)>|\[bell\]", nav, flags=re.S)


@pytest.fixture
def pages(organization, agent):
    ticket = TicketFactory(organization=organization, owner=agent)
    return staff_pages(ticket.pk, VendorFactory().pk)


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_every_staff_page_has_the_same_navigation(client, request, pages, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    urls = pages + (MANAGER_PAGES if role == "manager" else [])
    navs = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 503), url  # /status/ answers 503 while stalled
        navs[url] = _links(response.content.decode(), MAIN_NAV)
    first = navs["/"]
    assert all(nav == first for nav in navs.values()), navs
    text = " ".join(first)
    for label in ["Queue", "Triage", "New ticket", "Vendors", "[bell]", "Shortcuts"]:
        assert label in text
    if role == "manager":
        assert all(label in text for label in ["Dashboard", "Admin"])
        assert "My figures" not in text
    else:
        assert "My figures" in text
        assert all(label not in text for label in ["Dashboard", "Admin"])


def test_the_current_section_is_marked_in_the_navigation(client, manager):
    client.force_login(manager)
    nav = MAIN_NAV.search(client.get("/vendors/").content.decode()).group(1)
    assert re.search(r'href="/vendors/" aria-current="page">Vendors<', nav)
    assert nav.count('aria-current="page"') == 1


def test_the_dashboard_pages_share_one_set_of_tabs(client, manager):
    client.force_login(manager)
    tabs = {
        url: _links(client.get(url).content.decode(), DASHBOARD_TABS)
        for url in ["/dashboard/?days=7", "/dashboard/losses/?days=7", "/dashboard/mine/?days=7"]
    }
    overview = tabs["/dashboard/?days=7"]
    assert all(each == overview for each in tabs.values()), tabs
    assert [re.sub(r"<[^>]+>", "", link) for link in overview] == [
        "Overview",
        "Losses",
        "My figures",
        "Vendor scorecards",
    ]
    assert 'href="/dashboard/losses/?days=7"' in overview[1]  # the period goes along


def test_contacts_and_visitors_get_no_staff_navigation(client, contact):
    assert "Main" not in client.get("/login/").content.decode()
    client.force_login(contact)
    assert 'aria-label="Main"' not in client.get("/status/").content.decode()


@pytest.mark.browser
def test_the_staff_navigation_stays_put_from_page_to_page(live_server, signed_in_page, manager):
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/dashboard/losses/")
    main = page.get_by_role("navigation", name="Main")
    expected = ["Queue", "Triage", "New ticket", "Vendors", "Dashboard", "Status", "Admin"]
    for name in expected:
        expect(main.get_by_role("link", name=name, exact=True)).to_be_visible()
    main.get_by_role("link", name="Status", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/status/")
    expect(page.get_by_role("heading", name="Promise keeper status")).to_be_visible()
    for name in expected:
        expect(main.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(main.get_by_role("link", name="Status", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("button", name="Shortcuts").click()  # the dialog is there too
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
