"""tickets.rendering.FastRenderer draws exactly what Django's own templates draw, for every form
the staff ticket page shows: fresh, bound with input, and bound with errors."""

from datetime import timedelta

import pytest
from django.forms.renderers import DjangoTemplates
from django.utils import timezone

from tests.factories import AgentFactory
from tests.tickets.helpers import owned_ticket
from tests.vendors.factories import VendorFactory
from tickets.forms import (
    CollaboratorForm,
    DetailsForm,
    HandoverForm,
    PriorityOverrideForm,
    TakeOwnershipForm,
    TriageForm,
)
from tickets.rendering import FAST_RENDERER
from updates.forms import InternalNoteForm, PublicUpdateForm
from vendors.forms import OpenEscalationForm

pytestmark = pytest.mark.django_db
DJANGO = DjangoTemplates()


def ticket_forms(ticket, data=None):
    args = (data,) if data is not None else ()
    return [
        TakeOwnershipForm(*args, ticket=ticket),
        TriageForm(*args, ticket=ticket),
        DetailsForm(*args, ticket=ticket),
        HandoverForm(*args, ticket=ticket),
        CollaboratorForm(*args, ticket=ticket),
        PriorityOverrideForm(*args, ticket=ticket),
        PublicUpdateForm(*args, ticket=ticket),
        InternalNoteForm(*args),
        OpenEscalationForm(*args, ticket=ticket, prefix="escalate"),
    ]


def drawn(form, renderer) -> list[str]:
    form.renderer = renderer
    return [str(field) for field in form] + [field.as_field_group() for field in form]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},  # every required field missing: errors everywhere
        {
            "impact": "2",
            "urgency": "9",
            "problem_statement": 'Quotes " and <tags> & ampersands',
            "status": "in_progress",
            "eta": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "needed_by": "not a date",
            "body": "Line one\n<script>alert(1)</script>",
            "promise": "custom",
            "custom_due": "",
            "priority_override": "1",
            "priority_override_reason": "Board meeting",
            "escalate-summary": "Replace the <RAID> controller",
            "escalate-mark_ticket_waiting": "on",
        },
    ],
    ids=["fresh", "empty", "typed"],
)
def test_fast_renderer_draws_what_djangos_templates_draw(agent, data):
    AgentFactory(name='Zoë "Quotes" <O\'Brien>')
    VendorFactory(name="Dell & <Co>")
    ticket = owned_ticket(agent)
    for slow, fast in zip(ticket_forms(ticket, data), ticket_forms(ticket, data), strict=True):
        assert drawn(fast, FAST_RENDERER) == drawn(slow, DJANGO), type(slow).__name__


def test_fast_renderer_leaves_only_radio_groups_and_error_lists_to_templates(agent, monkeypatch):
    ticket = owned_ticket(agent)
    slow_templates = []
    original = DjangoTemplates.render

    def recording(self, template_name, context, request=None):
        slow_templates.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", recording)
    for form in ticket_forms(ticket):
        drawn(form, FAST_RENDERER)
    assert set(slow_templates) <= {
        "django/forms/widgets/radio.html",  # the composer's promise picks (drawn by hand)
        "django/forms/field.html",  # ... whose field group is a fieldset
        "django/forms/label.html",
        "django/forms/errors/list/default.html",
        "django/forms/errors/list/ul.html",
    }
    assert "django/forms/widgets/select.html" not in slow_templates
