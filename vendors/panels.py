"""The vendor escalations panel of the staff ticket page (registered in VendorsConfig.ready; see
tickets.panels for how panels work). Staff only: the ticket page is a staff page."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from incidents.models import Incident
from tickets.models import Ticket
from tickets.rendering import fast
from vendors import selectors
from vendors.forms import (
    ChaseForm,
    EscalationNoteForm,
    EscalationStatusForm,
    OpenEscalationForm,
    RootCauseForm,
)
from vendors.models import VendorEscalation

# The panel shows the latest notes of each case; the escalation page has the whole log.
PANEL_NOTES = 3


def escalation_forms(escalation: VendorEscalation, bound: dict[Any, Any]) -> dict[str, Any]:
    """The action forms of one escalation: fresh, or the ones a POST bound (with its errors)."""

    def pick(name: str, make):
        return bound.get((name, escalation.pk)) or make()

    return {
        "note_form": pick("vendor_note", lambda: EscalationNoteForm(prefix=f"n{escalation.pk}")),
        "status_form": pick(
            "vendor_status",
            lambda: EscalationStatusForm(escalation=escalation, prefix=f"s{escalation.pk}"),
        ),
        "chase_form": pick(
            "vendor_chase", lambda: ChaseForm(escalation=escalation, prefix=f"c{escalation.pk}")
        ),
        "rca_form": pick(
            "vendor_rca", lambda: RootCauseForm(escalation=escalation, prefix=f"r{escalation.pk}")
        ),
    }


def escalation_rows(
    escalations: list[VendorEscalation], bound: dict[Any, Any], *, notes: int | None = None
) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for escalation in escalations:
        all_notes = list(escalation.notes.all())
        rows.append(
            {
                "escalation": escalation,
                "age": escalation.age(now),
                "ack_overdue": escalation.acknowledgement_overdue(now),
                "chase_overdue": escalation.chase_overdue(now),
                "notes": all_notes[-notes:] if notes else all_notes,
                "note_count": len(all_notes),
                "pushbacks": sum(1 for note in all_notes if note.pushback),
                "open_actions": any(
                    key[1] == escalation.pk for key in bound if isinstance(key, tuple)
                ),
                **escalation_forms(escalation, bound),
            }
        )
    return rows


def escalations_panel_context(
    request: HttpRequest, ticket: Ticket, bound: dict[Any, Any]
) -> dict[str, Any]:
    """Four queries whatever the number of escalations and notes: escalations with vendor and
    opener, their notes with authors, and the vendor choices of the open form."""
    escalations = list(selectors.ticket_escalations(ticket))
    # FastRenderer (tickets.rendering): this form is drawn on every ticket without an escalation.
    open_form = fast(
        bound.get("vendor_open") or OpenEscalationForm(ticket=ticket, prefix="escalate")
    )
    return {
        "escalation_rows": escalation_rows(escalations, bound, notes=PANEL_NOTES),
        "open_form": open_form,
        "open_form_shown": "vendor_open" in bound or not escalations,
        "now": timezone.now(),
    }


INCIDENT_FORM = "vendor_open_incident"


def incident_escalations_context(
    request: HttpRequest, incident: Incident, bound: dict[Any, Any]
) -> dict[str, Any]:
    """The incident page's vendor cases (registered in incidents.page_panels): two queries.
    Each case is worked on its own page; this panel lists them and opens new ones."""
    form = bound.get(INCIDENT_FORM)
    return {
        "incident": incident,
        "escalations": list(selectors.incident_escalations(incident.pk)),
        "open_form": form or OpenEscalationForm(ticket=None, prefix="escalate"),
        "open_form_shown": form is not None,
    }
