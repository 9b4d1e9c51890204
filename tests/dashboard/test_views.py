"""The dashboard pages: CSV of every table, filters in the URL, reassigning from the Now panel,
losses recorded and annotated by managers, an agent's own figures, and a fixed query count."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import views
from tests.dashboard import test_figures as figures
from tests.factories import AgentFactory, TicketFactory
from updates.models import EntryKind, Loss, LossCategory, TimelineEntry

NOW = figures.NOW
history = figures.history  # the hand-computed fixture: 2 of 5 promises kept on Monday
WEEK = "/dashboard/?days=7"


def _csv(client, url: str) -> list[list[str]]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("by_week", [["group", "kept", "due", "kept_percent"], ["2026-11-16", "2", "5", "40.0"]]),
        ("by_owner", [["group", "kept", "due", "kept_percent"], ["Alice Agent", "2", "5", "40.0"]]),
        (
            "by_organization",
            [["group", "kept", "due", "kept_percent"], ["Northwind Traders", "2", "5", "40.0"]],
        ),
        ("by_priority", [["group", "kept", "due", "kept_percent"], ["P2", "2", "5", "40.0"]]),
        (
            "first_response",
            [
                ["response_time", "tickets"],
                ["under 15 min", "0"],
                ["15-60 min", "2"],  # 30 min and exactly 60 min
                ["1-4 h", "0"],
                ["4-24 h", "0"],
                ["over 1 day", "0"],
            ],
        ),
        (
            "ages",
            [
                ["age", "tickets"],
                ["under 1 day", "3"],
                ["1-3 days", "0"],
                ["3-7 days", "0"],
                ["1-4 weeks", "0"],
                ["over 4 weeks", "0"],
            ],
        ),
        ("losses", [["cause", "losses"]] + [[label, "0"] for label in LossCategory.labels]),
        (
            "due_soon",
            [
                [
                    "ticket",
                    "customer",
                    "subject",
                    "owner",
                    "priority",
                    "status",
                    "promised",
                    "minutes_left",
                ]
            ],
        ),
        (
            "unowned",
            [
                [
                    "ticket",
                    "customer",
                    "subject",
                    "owner",
                    "priority",
                    "status",
                    "opened",
                    "minutes_waiting",
                ]
            ],
        ),
        (
            "vendor_waits",
            [
                [
                    "ticket",
                    "customer",
                    "subject",
                    "owner",
                    "priority",
                    "status",
                    "waiting_since",
                    "minutes_waiting",
                ]
            ],
        ),
        (
            "loss_log",
            [["recorded", "customer", "ticket", "cause", "source", "what_happened", "lessons"]],
        ),
    ],
)
def test_every_table_exports_its_figures_as_csv(client, history, manager, table, expected):
    client.force_login(manager)
    assert _csv(client, f"{WEEK}&export={table}") == expected


def test_breaches_by_hour_csv_has_every_hour(client, history, manager):
    client.force_login(manager)
    rows = _csv(client, f"{WEEK}&export=breaches_by_hour")
    assert rows[0] == ["hour", "breaches"]
    assert len(rows) == 25
    assert {hour: n for hour, n in rows[1:] if n != "0"} == {
        "11:00": "1",
        "12:00": "1",
        "15:00": "1",
    }


def test_now_panel_csvs_list_the_tickets(client, history, manager):
    t1, _, t3 = history
    client.force_login(manager)
    breached = _csv(client, "/dashboard/?export=breached")
    assert [row[0] for row in breached[1:]] == [t3.reference, t1.reference]
    assert breached[1][1:6] == ["Northwind Traders", t3.subject, "Alice Agent", "P2", "Open"]
    unconfirmed = _csv(client, "/dashboard/?export=unconfirmed")
    assert sorted(row[0] for row in unconfirmed[1:]) == sorted(t.reference for t in history)


def test_an_unknown_table_is_404(client, manager):
    client.force_login(manager)
    assert client.get("/dashboard/?export=passwords").status_code == 404


def test_filters_in_the_url_narrow_the_trends(client, history, manager, other_agent):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        nobody = client.get(f"{WEEK}&owner={other_agent.pk}").content.decode()
        p2 = client.get(f"{WEEK}&priority=2").content.decode()
        p1 = client.get(f"{WEEK}&priority=1&export=by_priority").content.decode()
        dates = client.get("/dashboard/?since=2026-11-16&until=2026-11-16").content.decode()
        before = client.get("/dashboard/?since=2026-11-01&until=2026-11-15").content.decode()
    assert "No promises came due in this period." in nobody
    assert "40.0 %" in p2
    assert p1.strip().splitlines() == ["group,kept,due,kept_percent"]
    assert "2 kept of 5" in dates
    assert "No promises came due in this period." in before


def test_owner_and_customer_filters_take_a_typed_name_and_list_nobody_up_front(
    client, history, manager, other_agent
):
    """Autocompletes, as on the queue: the page does not list every customer and member of
    staff, the URL's id and a typed name both filter, and the chosen one shows by name."""
    customer = history[0].organization
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        by_id = client.get(f"{WEEK}&organization={customer.pk}").content.decode()
        by_name = client.get(f"{WEEK}&organization={customer.name}").content.decode()
        by_owner_name = client.get(f"{WEEK}&owner={other_agent.name}").content.decode()
    filters = by_id.split('aria-label="Period and filters"')[1].split("</form>")[0]
    assert f">{customer.name}</option>" not in filters
    assert f">{other_agent.name}</option>" not in filters
    assert 'data-autocomplete="customers"' in by_id
    assert 'data-autocomplete="staff"' in by_id
    assert "40.0 %" in by_id
    assert "40.0 %" in by_name
    assert f'data-chosen-value="{customer.pk}"' in by_name
    assert "No promises came due in this period." in by_owner_name


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday&until=2026-11-16", "since"),
        ("since=2026-11-16", "until"),
        ("since=2026-11-20&until=2026-11-16", "until"),
        ("priority=9", "priority"),
        ("owner=999999", "owner"),
        ("days=12", "days"),
    ],
)
def test_bad_filters_are_named_and_ignored(client, history, manager, query, field):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/dashboard/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Some filters could not be used" in page
    assert f"{field}:" in page
    assert "40.0 %" in page  # the default period (30 days) still covers Monday


def test_manager_reassigns_from_the_now_panel_with_a_handover_note(
    client, history, manager, other_agent
):
    t1 = history[0]
    client.force_login(manager)
    url = f"/dashboard/tickets/{t1.pk}/reassign/"
    form = client.get(url).content.decode()
    assert f'<option value="{other_agent.pk}">Bob Agent</option>' in form
    assert "Alice Agent</option>" not in form  # not the current owner
    refused = client.post(url, {"owner": other_agent.pk, "handover_note": ""})
    t1.refresh_from_db()
    assert t1.owner.name == "Alice Agent"
    assert refused.status_code == 400
    assert "Write a handover note" in refused.content.decode()

    response = client.post(
        url,
        {"owner": other_agent.pk, "handover_note": "Customer prefers phone."},
        headers={"HX-Request": "true"},
    )
    t1.refresh_from_db()
    assert t1.owner == other_agent
    body = response.content.decode()
    assert 'id="now-panels"' in body
    assert "<h1>" not in body
    assert f"{t1.reference} is now owned by Bob Agent." in body
    handover = TimelineEntry.objects.get(ticket=t1, kind=EntryKind.EVENT, event="owner_changed")
    assert handover.body == "Customer prefers phone."


def test_reassigning_is_for_managers(client, history, agent, other_agent):
    client.force_login(agent)
    url = f"/dashboard/tickets/{history[0].pk}/reassign/"
    assert client.post(url, {"owner": other_agent.pk, "handover_note": "x"}).status_code == 403
    assert client.get(url).status_code == 403


def test_manager_records_a_loss_from_the_ticket_page(client, history, manager):
    ticket = history[0]
    client.force_login(manager)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f"/dashboard/tickets/{ticket.pk}/loss/" in page

    bad = client.post(f"/dashboard/tickets/{ticket.pk}/loss/", {"category": "bad_luck"})
    assert bad.status_code == 400
    assert "Choose one of the options." in bad.content.decode()
    assert not Loss.objects.exists()

    client.post(
        f"/dashboard/tickets/{ticket.pk}/loss/",
        {
            "category": LossCategory.MISSED_UPDATE,
            "description": "Nobody told them about the 12:30 delay.",
            "lessons": "Post a holding update before lunch.",
        },
    )
    loss = Loss.objects.get()
    assert (loss.ticket, loss.organization, loss.recorded_by) == (
        ticket,
        ticket.organization,
        manager,
    )
    assert loss.lessons == "Post a holding update before lunch."
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Missed update" in page
    assert "Post a holding update before lunch." in page

    client.post(
        f"/dashboard/losses/{loss.pk}/",
        {"category": LossCategory.SLOW_RESPONSE, "lessons": "Cover the lunch hour."},
    )
    loss.refresh_from_db()
    assert (loss.category, loss.lessons) == (LossCategory.SLOW_RESPONSE, "Cover the lunch hour.")
    log = client.get("/dashboard/losses/?days=365").content.decode()
    assert "Cover the lunch hour." in log
    assert ticket.reference in log
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboard/losses/?export=loss_log").content.decode()))
    )
    assert rows[1][2:] == [
        ticket.reference,
        "Slow response",
        "manager",
        "Nobody told them about the 12:30 delay.",
        "Cover the lunch hour.",
    ]


def test_agents_see_no_loss_form_but_do_see_their_own_figures(client, history, agent, other_agent):
    client.force_login(agent)
    assert client.get(f"/dashboard/tickets/{history[0].pk}/loss/").status_code == 403
    assert "/loss/" not in client.get(f"/tickets/{history[0].pk}/").content.decode()
    with time_machine.travel(NOW, tick=False):
        mine = client.get("/dashboard/mine/?days=7").content.decode()
        weekly = client.get("/dashboard/mine/?days=7&export=by_week").content.decode()
    assert "40.0 %" in mine
    assert "2 kept of 5" in mine
    assert weekly.splitlines()[1] == "2026-11-16,2,5,40.0"
    client.force_login(other_agent)
    with time_machine.travel(NOW, tick=False):
        assert "No promises came due" in client.get("/dashboard/mine/?days=7").content.decode()


def test_contacts_cannot_find_my_figures(client, contact):
    client.force_login(contact)
    assert client.get("/dashboard/mine/").status_code == 404


def test_the_dashboard_links_to_the_vendor_scorecards(client, manager):
    client.force_login(manager)
    assert '<a href="/vendors/">Vendor scorecards</a>' in client.get("/dashboard/").content.decode()


@pytest.mark.parametrize("url", [WEEK, "/dashboard/losses/?days=7", "/dashboard/mine/?days=7"])
def test_dashboard_pages_run_a_fixed_number_of_queries(
    client, history, manager, organization, django_assert_num_queries, url
):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        client.get(url)  # warm up (session, content types)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
    with time_machine.travel(NOW - timedelta(hours=5), tick=False):
        for _ in range(3):
            owner = AgentFactory()
            TicketFactory(organization=organization, owner=owner, impact=2, urgency=2)
            TicketFactory(organization=organization)  # unowned
            Loss.objects.create(organization=organization, category=LossCategory.OTHER)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(len(small)):
        client.get(url)


def test_now_panel_polls_at_the_configured_interval_and_pauses_while_a_form_is_open(
    client, manager, settings
):
    client.force_login(manager)
    assert 'hx-trigger="every 30s"' in client.get("/dashboard/").content.decode()
    settings.DASHBOARD_REFRESH_SECONDS = 5
    page = client.get("/dashboard/").content.decode()
    # The pause is workspace.js's (no trigger filter: that would need eval, which the CSP forbids);
    # tests/dashboard/test_refresh_pause_browser.py watches it work.
    assert 'hx-trigger="every 5s" data-pause-while-open="details.reassign"' in page


def test_many_customers_show_the_lowest_rates_on_the_page_and_all_in_the_csv():
    rows = [
        {"label": f"Customer {n:02d}", "kept": n, "total": 20, "rate": n * 5.0} for n in range(20)
    ]
    rows.append({"label": "Busy and bad", "kept": 0, "total": 90, "rate": 0.0})
    shown = views.lowest_rates(rows)
    assert len(shown) == views.GROUPS_ON_PAGE
    assert [row["label"] for row in shown[:3]] == ["Busy and bad", "Customer 00", "Customer 01"]
    assert shown[-1]["rate"] == 65.0  # Customer 13: the 15th lowest


def test_trends_are_reused_for_a_minute_per_filter_set_while_the_now_panels_stay_live(
    client, history, manager, settings
):
    settings.DASHBOARD_TRENDS_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(manager)

    def load(url: str, at) -> tuple[str, int]:
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return page, len(queries)

    fresh, fresh_queries = load(WEEK, NOW)
    reused, reused_queries = load(WEEK, NOW + timedelta(seconds=30))
    other_filter, _ = load(f"{WEEK}&priority=1", NOW + timedelta(seconds=30))
    recomputed, recomputed_queries = load(WEEK, NOW + timedelta(seconds=61))

    assert "40.0 %" in fresh
    assert 'id="trends-as-of"' not in fresh
    assert "40.0 %" in reused
    assert "Trends as of 16:00:00" in reused
    assert reused_queries < fresh_queries
    # The Now panels still ran: the reused page lists the same live rows.
    assert fresh.count("<tr data-ticket=") > 0
    assert reused.count("<tr data-ticket=") == fresh.count("<tr data-ticket=")
    assert "No promises came due in this period." in other_filter
    assert 'id="trends-as-of"' not in recomputed
    assert recomputed_queries == fresh_queries
