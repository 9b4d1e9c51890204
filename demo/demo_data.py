"""The demo's customers, team and tickets: customers in four time zones, a small helpdesk team,
and tickets in every status and priority, each with the history (demo.story plays it) that leaves
some promises kept, some due soon and some breached right now."""

from dataclasses import dataclass, field
from datetime import time

from accounts.models import Role

DEMO_PASSWORD = "demo-pass-2026"

ORGANIZATIONS = {
    "northwind": dict(
        name="Northwind Traders",
        timezone="Europe/London",
        holiday_country="GB",
        holiday_subdivision="ENG",
    ),
    "bluewave": dict(
        name="Bluewave Dental Group", timezone="America/New_York", holiday_country="US"
    ),
    "kiwi": dict(name="Kiwi Freight Ltd", timezone="Pacific/Auckland", holiday_country="NZ"),
    "sakura": dict(
        name="Sakura Design Studio",
        timezone="Asia/Tokyo",
        business_opens=time(9),
        business_closes=time(18),
    ),
}
STAFF = {
    "manager": ("manager@demo.test", "Morgan Reyes", Role.MANAGER),
    "alice": ("alice@demo.test", "Alice Okafor", Role.AGENT),
    "ben": ("ben@demo.test", "Ben Lindqvist", Role.AGENT),
    "chen": ("chen@demo.test", "Chen Wei", Role.AGENT),
}
CONTACTS = {
    "priya": ("priya@northwind.example", "Priya Shah", "northwind", True),
    "tom": ("tom@northwind.example", "Tom Hughes", "northwind", False),
    "dana": ("dana@bluewave.example", "Dana Brooks", "bluewave", True),
    "aroha": ("aroha@kiwifreight.example", "Aroha Ngata", "kiwi", True),
    "kenji": ("kenji@sakura.example", "Kenji Sato", "sakura", True),
}


@dataclass
class Scenario:
    org: str
    requester: str
    subject: str
    description: str
    impact: int
    urgency: int
    opened_minutes_ago: int
    # (minutes ago, action, arguments), played in order after the ticket is opened.
    steps: list[tuple[int, str, dict]] = field(default_factory=list)


SCENARIOS = [
    Scenario(
        "northwind",
        "priya",
        "Nobody can sign in to the accounting system",
        "Since about 9 this morning every user gets 'licence server unavailable'. Month-end close is today.",
        1,
        1,
        40,
        [
            (35, "own", {"agent": "alice"}),
            (
                30,
                "note",
                {
                    "agent": "alice",
                    "body": "Licence server VM is up; service crashed. Collecting logs.",
                },
            ),
        ],
    ),
    Scenario(
        "bluewave",
        "dana",
        "Imaging software cannot reach the X-ray sensor",
        "Surgery 2 cannot take X-rays; patients are being rescheduled.",
        2,
        1,
        95,
        [
            (88, "own", {"agent": "ben"}),
            (
                80,
                "public",
                {
                    "agent": "ben",
                    "body": "We have connected remotely and can see the sensor driver failing to load. We are reinstalling it now.",
                    "status": "in_progress",
                },
            ),
            (
                25,
                "public",
                {
                    "agent": "ben",
                    "body": "The driver is reinstalled; we are testing the sensor with your team on site.",
                    "promise_minutes": 30,
                },
            ),
        ],
    ),
    Scenario(
        "kiwi",
        "aroha",
        "Warehouse scanners drop off Wi-Fi every few minutes",
        "Handheld scanners in bay 3 disconnect constantly; pickers are re-scanning orders.",
        2,
        2,
        200,
        [
            (190, "own", {"agent": "chen"}),
            (
                150,
                "public",
                {
                    "agent": "chen",
                    "body": "We see the access point in bay 3 rebooting. We have asked the hardware supplier for a replacement under warranty.",
                    "status": "waiting_on_vendor",
                },
            ),
            (
                40,
                "public",
                {
                    "agent": "chen",
                    "body": "A replacement access point is on its way; meanwhile we moved the scanners to the bay 2 network.",
                    "promise_minutes": 100,
                },
            ),
        ],
    ),
    Scenario(
        "sakura",
        "kenji",
        "New starter needs an Adobe licence",
        "Yui starts on Monday and needs Creative Cloud on her laptop.",
        4,
        4,
        60 * 26,
        [
            (60 * 25, "own", {"agent": "alice"}),
            (
                60 * 24,
                "public",
                {
                    "agent": "alice",
                    "body": "Happy to set this up. Could you confirm which Creative Cloud plan Yui should be on?",
                    "status": "waiting_on_customer",
                },
            ),
        ],
    ),
    Scenario(
        "northwind",
        "tom",
        "Outlook keeps asking for my password",
        "Every hour or so Outlook prompts for my password again.",
        3,
        3,
        60 * 28,
        [
            (60 * 27, "own", {"agent": "ben"}),
            (
                60 * 27 - 10,
                "restate",
                {
                    "agent": "ben",
                    "text": "Outlook on Tom's laptop prompts for credentials about hourly; webmail works.",
                },
            ),
            (60 * 26, "confirm", {}),
            (
                60 * 25,
                "public",
                {
                    "agent": "ben",
                    "body": "We reset your cached credentials and updated Office. Please tell us if the prompt returns.",
                    "status": "resolved",
                },
            ),
        ],
    ),
    Scenario(
        "bluewave",
        "dana",
        "Please add a shared mailbox for the front desk",
        "We would like frontdesk@ shared between the three receptionists.",
        4,
        3,
        60 * 72,
        [
            (60 * 71, "own", {"agent": "chen"}),
            (
                60 * 70,
                "public",
                {
                    "agent": "chen",
                    "body": "The shared mailbox frontdesk@ is created and added for all three receptionists.",
                    "status": "resolved",
                },
            ),
            (60 * 20, "status", {"agent": "chen", "status": "closed"}),
        ],
    ),
    Scenario(
        "kiwi",
        "aroha",
        "Printer in dispatch prints blank pages",
        "The dispatch label printer feeds labels but nothing is printed on them.",
        3,
        2,
        30,
    ),
    Scenario(
        "sakura",
        "kenji",
        "VPN disconnects when working from home",
        "Staff at home lose the VPN every 20 minutes or so.",
        2,
        2,
        12,
    ),
    Scenario(
        "northwind",
        "priya",
        "Website contact form not sending emails",
        "Enquiries from the website form stopped arriving yesterday.",
        2,
        3,
        60 * 5,
        [
            (60 * 5 - 5, "own", {"agent": "alice"}),
            (
                60 * 4,
                "restate",
                {
                    "agent": "alice",
                    "text": "Enquiries submitted on northwind.example/contact have not reached sales@ since yesterday afternoon.",
                },
            ),
            (
                60 * 3,
                "public",
                {
                    "agent": "alice",
                    "body": "The form's mail relay credentials expired. We are renewing them.",
                    "status": "in_progress",
                },
            ),
        ],
    ),
    Scenario(
        "bluewave",
        "dana",
        "Slow computers at reception",
        "The two reception PCs take minutes to open the patient system.",
        3,
        3,
        60 * 6,
        [(60 * 6 - 20, "own", {"agent": "ben"})],
    ),
    Scenario(
        "kiwi",
        "aroha",
        "Request: quote for three new laptops",
        "We are hiring; please quote three laptops like the ones we have.",
        4,
        4,
        60 * 3,
    ),
    Scenario(
        "sakura",
        "kenji",
        "File server share is read-only",
        "The Projects share became read-only for the whole design team.",
        1,
        2,
        55,
        [
            (50, "own", {"agent": "chen"}),
            (
                45,
                "public",
                {
                    "agent": "chen",
                    "body": "We are on it: the file server's disk is full and we are freeing space now.",
                    "status": "in_progress",
                    "promise_minutes": 30,
                },
            ),
            (
                20,
                "note",
                {
                    "agent": "chen",
                    "body": "Old snapshots are using 400 GB; deleting after owner approval.",
                },
            ),
        ],
    ),
]


# The ticket that shows the promise keeper at work in a fresh demo: Alice promised the customer
# an update LIVE_PROMISE_MINUTES from the moment seed_demo runs, so with the P2 lead of 30 minutes
# her due-soon reminder (bell and email) arrives about a minute after `scripts/run` starts, and
# the breach alert to her and the manager half an hour later if nobody posts an update.
LIVE_PROMISE_MINUTES = 31
LIVE_SUBJECT = "Shared mailbox stopped receiving customer orders"
SCENARIOS.append(
    Scenario(
        "northwind",
        "tom",
        LIVE_SUBJECT,
        "orders@ has had no new mail since this morning; customers say their orders bounce.",
        2,
        2,
        6,
        [
            (5, "own", {"agent": "alice"}),
            (
                0,
                "public",
                {
                    "agent": "alice",
                    "body": "We can see the mailbox rejecting new mail because it is full. We are "
                    "archiving last year's orders now; we will confirm once mail flows again.",
                    "promise_minutes": LIVE_PROMISE_MINUTES,
                },
            ),
        ],
    )
)
