"""Manager dashboard figures against a hand-computed fixture (issue 7)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dashboard import selectors
from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates import services as update_services
from updates.feedback import record_feedback
from updates.models import Promise, PromiseOutcome

MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
NOW = MONDAY.replace(hour=16)
DAY = selectors.Period(
    since=MONDAY.replace(hour=0), until=MONDAY.replace(hour=0) + timedelta(days=1)
)


@pytest.fixture
def history(organization, agent):
    """Three P2 tickets (24x7: first response 1 h, then every 2 h), all opened Monday 10:00.

    T1: answered 10:30 (kept), late at 13:00 (the 12:30 promise breached), 15:00 promise overdue.
    T2: answered exactly at 11:00 (kept), then paused at 11:30 (the 13:00 promise withdrawn).
    T3: never answered (the 11:00 promise overdue).
    Hand count of promises due by 16:00: kept 2 of 5 (withdrawn excluded) = 40 %.
    """
    with time_machine.travel(MONDAY, tick=False) as clock:
        t1, t2, t3 = (
            TicketFactory(organization=organization, impact=2, urgency=2, owner=agent)
            for _ in range(3)
        )
        clock.move_to(MONDAY + timedelta(minutes=30))
        update_services.post_public_update(t1, author=agent, body="On it.")
        clock.move_to(MONDAY + timedelta(hours=1))
        update_services.post_public_update(t2, author=agent, body="On it.")
        clock.move_to(MONDAY + timedelta(hours=1, minutes=30))
        ticket_services.change_status(t2, status=Status.WAITING_ON_CUSTOMER, by=agent)
        clock.move_to(MONDAY + timedelta(hours=3))
        update_services.post_public_update(t1, author=agent, body="Sorry, still working.")
    return t1, t2, t3


def test_kept_rate_counts_due_promises_and_excludes_withdrawn_ones(history):
    assert selectors.overall_kept_rate(DAY, NOW) == {"total": 5, "kept": 2, "rate": 40.0}


def test_kept_rate_by_owner(history, agent):
    rows = selectors.kept_rate_by(DAY, NOW, "owner__name")
    assert rows == [{"label": agent.name, "kept": 2, "total": 5, "rate": 40.0}]


def test_kept_rate_by_week_groups_by_the_deadlines_week(history):
    rows = selectors.kept_rate_by(DAY, NOW, None)
    assert len(rows) == 1
    assert rows[0]["label"].date() == MONDAY.date()
    assert rows[0]["rate"] == 40.0


def test_breaches_by_hour_of_day(history):
    hours = selectors.breaches_by_hour(DAY, NOW, UTC)
    assert {hour: n for hour, n in enumerate(hours) if n} == {11: 1, 12: 1, 15: 1}


def test_first_response_minutes(history):
    assert selectors.first_response_minutes(DAY) == [30.0, 60.0]


def test_now_panels(history):
    t1, t2, t3 = history
    assert list(selectors.breached_now(NOW)) == [t3, t1]
    assert list(selectors.due_within_the_hour(NOW - timedelta(hours=1, minutes=30))) == [t1]
    assert set(selectors.understanding_unconfirmed()) == {t1, t2, t3}


def test_no_data_gives_no_rate_rather_than_zero(db):
    assert selectors.overall_kept_rate(DAY, NOW) == {"total": 0, "kept": 0, "rate": None}
    assert selectors.breaches_by_hour(DAY, NOW, UTC) == [0] * 24
    assert selectors.first_response_minutes(DAY) == []


def test_open_tickets_by_age(organization):
    for days in (0, 2, 5, 10, 40):
        with time_machine.travel(NOW - timedelta(days=days, minutes=1), tick=False):
            TicketFactory(organization=organization)
    assert [n for _, n in selectors.open_tickets_by_age(NOW)] == [1, 1, 1, 1, 1]


def test_losses_by_category_from_low_feedback(organization, agent, contact):
    with time_machine.travel(MONDAY, tick=False):
        ticket = TicketFactory(organization=organization, requester=contact, owner=agent)
        ticket = ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
        record_feedback(ticket, author=contact, kept_informed=1, resolved=4)
    counts = dict(selectors.losses_by_category(DAY))
    assert counts["Missed update"] == 1
    assert sum(counts.values()) == 1


@pytest.mark.parametrize(
    "url", ["/dashboard/", "/dashboard/losses/", "/dashboard/?export=breached"]
)
def test_dashboard_is_for_managers_agents_are_refused_contacts_see_nothing(
    client, agent, contact, manager, url
):
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(contact)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_dashboard_shows_the_figures_and_exports_csv(client, history, manager):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard/?days=7").content.decode()
        export = client.get("/dashboard/?days=7&export=by_owner").content.decode()
        breached = client.get("/dashboard/?export=breached").content.decode().splitlines()
    assert "40.0 %" in page
    assert "2 kept of 5" in page
    assert export.splitlines()[1].endswith(",2,5,40.0")
    assert len(breached) == 3
    # Most late first: T3 promised 11:00 (300 min late at 16:00), T1 promised 15:00 (60 min).
    assert [row.split(",")[-1] for row in breached[1:]] == ["300", "60"]


def test_now_panel_refreshes_as_a_fragment(client, history, manager):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        fragment = client.get("/dashboard/?panel=now", headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert 'id="now-panels"' in body
    assert "<h1>" not in body
    assert history[2].reference in body


# ---- edge cases ---------------------------------------------------------------------------


def test_a_promise_answered_at_the_exact_deadline_is_kept_one_second_later_breached(
    organization, agent
):
    with time_machine.travel(MONDAY, tick=False) as clock:
        on_time, late = (
            TicketFactory(organization=organization, impact=2, urgency=2, owner=agent)
            for _ in range(2)
        )
        clock.move_to(MONDAY + timedelta(hours=1))  # the first-response deadline itself
        update_services.post_public_update(on_time, author=agent, body="On it.")
        clock.move_to(MONDAY + timedelta(hours=1, seconds=1))
        update_services.post_public_update(late, author=agent, body="On it.")
    # Only the two first-response promises (11:00) came due by 11:30; the next are due 13:00.
    at = MONDAY + timedelta(hours=1, minutes=30)
    assert selectors.overall_kept_rate(DAY, at) == {"total": 2, "kept": 1, "rate": 50.0}
    assert selectors.breaches_by_hour(DAY, at, UTC)[11] == 1


def test_paused_tickets_owe_nothing_so_they_are_in_no_promise_figure(history):
    t2 = history[1]  # waits on the customer since 11:30; its 13:00 promise was withdrawn
    withdrawn = Promise.objects.get(ticket=t2, outcome=PromiseOutcome.WITHDRAWN)
    assert withdrawn.due_at == MONDAY + timedelta(hours=3)
    assert t2 not in selectors.breached_now(NOW)
    assert t2 not in selectors.due_within_the_hour(MONDAY + timedelta(hours=2, minutes=30))
    assert selectors.breaches_by_hour(DAY, NOW, UTC)[13] == 0
    # Six promises fell due by 16:00; the withdrawn one counts neither way: 2 kept of 5.
    assert Promise.objects.filter(due_at__lt=NOW).count() == 6
    assert selectors.kept_rate_by(DAY, NOW, "priority") == [
        {"label": 2, "kept": 2, "total": 5, "rate": 40.0}
    ]


def test_the_period_includes_its_start_and_excludes_its_end(history):
    at_eleven = selectors.Period(
        since=MONDAY + timedelta(hours=1), until=MONDAY + timedelta(hours=1, minutes=1)
    )
    # The three first responses fell due at 11:00 exactly: T1 and T2 kept, T3 never answered.
    assert selectors.overall_kept_rate(at_eleven, NOW) == {"total": 3, "kept": 2, "rate": 66.7}
    up_to_eleven = selectors.Period(since=MONDAY, until=MONDAY + timedelta(hours=1))
    assert selectors.overall_kept_rate(up_to_eleven, NOW)["total"] == 0


def test_promises_not_yet_due_are_not_counted(history):
    # At 12:00 only the three first-response promises (11:00) have come due: 2 kept, T3 late.
    at_noon = MONDAY + timedelta(hours=2)
    assert selectors.overall_kept_rate(DAY, at_noon) == {"total": 3, "kept": 2, "rate": 66.7}


def test_filters_narrow_every_trend(history, other_agent, organization):
    nobody = DAY.narrowed(owner_id=other_agent.pk)
    assert selectors.overall_kept_rate(nobody, NOW)["total"] == 0
    assert selectors.first_response_minutes(nobody) == []
    assert [n for _, n in selectors.open_tickets_by_age(NOW, nobody)] == [0] * 5
    p2 = DAY.narrowed(priority=2, organization_id=organization.pk)
    assert selectors.overall_kept_rate(p2, NOW)["rate"] == 40.0
    assert selectors.overall_kept_rate(DAY.narrowed(priority=1), NOW)["total"] == 0


def test_breaches_by_hour_follow_the_managers_time_zone(history):
    from zoneinfo import ZoneInfo

    hours = selectors.breaches_by_hour(DAY, NOW, ZoneInfo("America/New_York"))  # UTC-5
    assert {hour: n for hour, n in enumerate(hours) if n} == {6: 1, 7: 1, 10: 1}


def test_first_response_summary_hand_computed():
    summary = selectors.first_response_summary([5.0, 15.0, 30.0, 60.0, 61.0, 300.0, 2000.0])
    assert summary["count"] == 7
    assert summary["median"] == 60.0  # nearest rank: the 4th of 7
    assert summary["p90"] == 2000.0  # rank ceil(6.3) = 7
    assert summary["buckets"] == [
        ("under 15 min", 2),  # 15 exactly is "under 15"
        ("15-60 min", 2),
        ("1-4 h", 1),
        ("4-24 h", 1),
        ("over 1 day", 1),
    ]
    empty = selectors.first_response_summary([])
    assert (empty["count"], empty["median"], empty["p90"]) == (0, None, None)


def test_waiting_on_a_vendor_longest_first_from_the_timeline(organization, agent):
    with time_machine.travel(MONDAY, tick=False) as clock:
        recent, longest, never = (
            TicketFactory(organization=organization, owner=agent) for _ in range(3)
        )
        ticket_services.change_status(longest, status=Status.WAITING_ON_VENDOR, by=agent)
        clock.move_to(MONDAY + timedelta(hours=2))
        ticket_services.change_status(recent, status=Status.WAITING_ON_VENDOR, by=agent)
        # Leaving and coming back restarts the wait.
        ticket_services.change_status(never, status=Status.WAITING_ON_VENDOR, by=agent)
        ticket_services.change_status(never, status=Status.IN_PROGRESS, by=agent)
    rows = list(selectors.waiting_on_vendor_longest())
    assert rows == [longest, recent]
    assert [row.waiting_since for row in rows] == [MONDAY, MONDAY + timedelta(hours=2)]


def test_unowned_tickets_oldest_first(organization):
    with time_machine.travel(MONDAY, tick=False) as clock:
        older = TicketFactory(organization=organization)
        clock.move_to(MONDAY + timedelta(minutes=5))
        newer = TicketFactory(organization=organization)
    assert list(selectors.unowned()) == [older, newer]
    assert list(selectors.understanding_unconfirmed()) == []  # untriaged tickets are not flagged


def test_no_data_anywhere(db, client, manager):
    assert selectors.kept_rate_by(DAY, NOW, None) == []
    assert selectors.kept_rate_by(DAY, NOW, "owner__name") == []
    assert [n for _, n in selectors.open_tickets_by_age(NOW)] == [0] * 5
    assert [n for _, n in selectors.losses_by_category(DAY)] == [0] * 6
    assert not selectors.breached_now(NOW).exists()
    assert not selectors.waiting_on_vendor_longest().exists()
    client.force_login(manager)
    page = client.get("/dashboard/").content.decode()
    assert "No promises came due in this period." in page
    assert "No customer is waiting past a promised update." in page
    assert 'role="img"' not in page  # nothing to draw: a sentence, not an empty chart


@pytest.mark.parametrize("filters", [{}, {"priority": 2}, {"priority": 1}])
def test_the_page_figures_in_three_queries_agree_with_the_one_figure_selectors(
    history, filters, django_assert_num_queries
):
    period = DAY.narrowed(**filters)
    with django_assert_num_queries(3):
        figures = selectors.promise_figures(period, NOW, UTC)
    assert figures["overall"] == selectors.overall_kept_rate(period, NOW)
    assert figures["by_week"] == selectors.kept_rate_by(period, NOW, None)
    assert figures["by_priority"] == selectors.kept_rate_by(period, NOW, "priority")
    assert figures["by_owner"] == selectors.kept_rate_by(period, NOW, "owner__name")
    assert figures["by_organization"] == selectors.kept_rate_by(period, NOW, "organization__name")
    assert figures["breaches_by_hour"] == selectors.breaches_by_hour(period, NOW, UTC)


def test_promises_count_for_the_owner_accountable_while_they_were_pending(
    organization, agent, other_agent, manager
):
    with time_machine.travel(MONDAY, tick=False) as clock:
        ticket = TicketFactory(organization=organization, impact=2, urgency=2, owner=agent)
        clock.move_to(MONDAY + timedelta(minutes=30))
        update_services.post_public_update(ticket, author=agent, body="On it.")  # kept by Alice
        ticket_services.assign_owner(
            ticket, owner=other_agent, by=manager, handover_note="Alice is off."
        )
    # Bob now answers for the pending 12:30 promise, which breaches at 13:00.
    rows = selectors.kept_rate_by(DAY, MONDAY + timedelta(hours=3), "owner__name")
    assert rows == [
        {"label": "Alice Agent", "kept": 1, "total": 1, "rate": 100.0},
        {"label": "Bob Agent", "kept": 0, "total": 1, "rate": 0.0},
    ]
    by_customer = selectors.kept_rate_by(DAY, MONDAY + timedelta(hours=3), "organization__name")
    assert by_customer == [{"label": organization.name, "kept": 1, "total": 2, "rate": 50.0}]
