"""The demo's vendors, and the cases raised with them on the demo tickets (demo.vendor_cases
plays them): every state staff meet, from a vendor that has not acknowledged within its expected
response time and a chase already due, to a vendor asking for information with work pushed back
to us, an RMA awaiting the vendor, and finished cases whose times feed the scorecards."""

from dataclasses import dataclass, field

VENDORS = {
    "sage": dict(
        name="Sage",
        aliases="Sage 50, Sage Accounting",
        support_email="support@sage.example",
        support_phone="+44 191 479 5900",
        portal_url="https://support.sage.example/cases",
        account_number="SG-448120",
        contract_reference="Sage Business Care Gold",
        support_hours="Mon-Fri 08:00-20:00 UK",
        expected_response_minutes=15,
    ),
    "carestream": dict(
        name="Carestream Dental",
        aliases="Carestream, CS Imaging",
        support_email="techsupport@carestream.example",
        support_phone="+1 800 933 8031",
        account_number="CSD-20931",
        support_hours="Mon-Fri 08:00-20:00 ET",
        expected_response_minutes=60,
    ),
    "ubiquiti": dict(
        name="Ubiquiti",
        aliases="UniFi, UBNT",
        support_email="rma@ubiquiti.example",
        portal_url="https://account.ubiquiti.example/rma",
        support_hours="24x7 chat",
        expected_response_minutes=240,
    ),
    "microsoft": dict(
        name="Microsoft",
        aliases="Microsoft 365, Office 365, O365, MS",
        support_phone="+44 344 800 2400",
        portal_url="https://admin.microsoft.example/support",
        contract_reference="Unified Support",
        support_hours="24x7 for severity A",
        expected_response_minutes=60,
    ),
    "sendgrid": dict(
        name="Twilio SendGrid",
        aliases="SendGrid",
        support_email="support@sendgrid.example",
        support_hours="24x7",
        expected_response_minutes=60,
    ),
    "dell": dict(
        name="Dell Technologies",
        aliases="Dell, Dell EMC",
        support_phone="+44 344 373 1150",
        account_number="DL-7731-02",
        contract_reference="ProSupport Plus",
        support_hours="24x7",
        expected_response_minutes=120,
        notes="Next-business-day onsite for laptops; 4-hour onsite for the Northwind file server.",
    ),
}


@dataclass
class Case:
    subject: str
    vendor: str
    agent: str
    opened_after: int  # minutes after the ticket was opened
    summary: str
    reference: str = ""
    chase_after: int | None = None  # minutes after the ticket was opened
    # (minutes after the ticket was opened, action, arguments)
    steps: list[tuple[int, str, dict]] = field(default_factory=list)


CASES = [
    Case(
        "Nobody can sign in to the accounting system",
        "sage",
        "alice",
        10,
        "Licence server rejects every client: 'licence server unavailable'. Month-end today.",
        reference="SG-CASE-1187343",
        # The first chase sweep after seeding reminds Alice: Sage has not acknowledged yet.
        chase_after=30,
    ),
    Case(
        "Imaging software cannot reach the X-ray sensor",
        "carestream",
        "ben",
        15,
        "Sensor not detected by the imaging software after the Windows update on two PCs.",
        reference="CS-00428817",
        chase_after=140,
        steps=[
            (35, "status", {"status": "acknowledged"}),
            (
                55,
                "note",
                {
                    "body": "They ask the practice to reinstall the sensor driver on every "
                    "workstation before they will look. We will do it remotely tonight.",
                    "pushback": True,
                },
            ),
            (56, "status", {"status": "vendor_needs_info"}),
        ],
    ),
    Case(
        "Warehouse scanners drop off Wi-Fi every few minutes",
        "ubiquiti",
        "chen",
        50,
        "Access point in bay 3 reboots every few minutes; warranty replacement requested.",
        reference="RMA-552019",
        chase_after=260,
        steps=[
            (90, "status", {"status": "acknowledged"}),
            (
                95,
                "note",
                {"body": "RMA approved; advance replacement ships today.", "pushback": False},
            ),
            (100, "status", {"status": "awaiting_vendor"}),
            (101, "rca", {"requested": True}),
        ],
    ),
    Case(
        "Outlook keeps asking for my password",
        "microsoft",
        "ben",
        70,
        "Modern authentication prompts loop for one user after the tenant policy change.",
        reference="MS-2611250040001234",
        steps=[
            (150, "status", {"status": "acknowledged"}),
            (
                160,
                "note",
                {
                    "body": "Support wants us to collect a Fiddler trace from the user's PC.",
                    "pushback": True,
                },
            ),
            (170, "rca", {"requested": True}),
            (190, "status", {"status": "resolved"}),
            (200, "rca", {"received": True}),
            (210, "status", {"status": "closed"}),
        ],
    ),
    Case(
        "Website contact form not sending emails",
        "sendgrid",
        "alice",
        30,
        "Contact form mail is accepted by the API but never delivered since yesterday.",
        reference="SG-7781023",
        steps=[
            (120, "status", {"status": "acknowledged"}),
            (
                150,
                "note",
                {"body": "Our sending domain was on a shared IP blocklist.", "pushback": False},
            ),
            (200, "status", {"status": "resolved"}),
        ],
    ),
]
