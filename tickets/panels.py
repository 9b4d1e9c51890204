"""Panels on the staff ticket page, contributed by the apps above tickets.

Why a registry: the ticket page belongs to tickets (DESIGN), but most of what an agent works with
there comes from apps that depend on tickets: the timeline and the composer (updates), vendor
escalations (vendors). tickets must never import those apps, so instead each of them *registers a
panel* here from its ``AppConfig.ready()``, and the page (tickets.views.ticket_page) renders every
registered panel in order. The composer's POST views live with the code they call
(updates/views.py calling updates.services) and answer with ``tickets.views.render_ticket_page``.

Adding a panel (what the updates app does, and what vendors should copy)::

    # vendors/apps.py
    class VendorsConfig(AppConfig):
        def ready(self):
            from tickets.panels import TicketPanel, register
            from vendors.panels import escalations_panel_context

            register(
                TicketPanel(
                    name="vendor-escalations",
                    template="vendors/panels/escalations.html",
                    context=escalations_panel_context,
                    order=50,
                    column="side",
                )
            )

    # vendors/panels.py
    def escalations_panel_context(request, ticket, bound):
        return {"escalations": selectors.escalations_for(ticket), "form": bound.get("escalation")
                or EscalationForm()}

Rules for a panel:
1. ``context(request, ticket, bound)`` returns the template's context. ``bound`` maps form names to
   forms a POST view bound and wants shown again with their errors and the user's input (see
   ``render_ticket_page(..., bound={...})``); otherwise show fresh forms.
2. It runs a constant number of queries whatever the ticket's history (select/prefetch what the
   template reads), because the page's query count is tested.
3. The template is rendered inside the page's ``#ticket-body`` element. Forms that post with htmx
   (``hx-post``) inherit ``hx-target="#ticket-body"`` and should answer with
   ``render_ticket_page`` so the whole page body, messages included, is swapped in place. Without
   JavaScript the same forms post normally and the view redirects back (or re-renders on error).
4. ``column`` is "main" (the wide column, under the header) or "side" (the narrow one).
5. A form most views never use is drawn only when asked, like the page's own side forms: list its
   name in ``forms``, define ``{% partialdef form-<name> %}`` in the panel's template, and draw
   the form when ``form_requested(request, name)`` (or when ``bound`` holds it); otherwise show a
   loader whose link is ``?form=<name>``. Under htmx the page answers that link with the partial
   alone (drawn with the panel's context); without JavaScript with the whole page, form open.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.http import HttpRequest

from tickets.models import Ticket

PanelContext = Callable[[HttpRequest, Ticket, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class TicketPanel:
    name: str
    template: str
    context: PanelContext
    order: int = 100
    column: Literal["main", "side"] = "main"
    # Forms this panel draws only when asked (rule 5): ?form=<name> on the ticket page.
    forms: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    template: str
    column: str
    context: dict[str, Any] = field(default_factory=dict)


_panels: dict[str, TicketPanel] = {}


def register(panel: TicketPanel) -> None:
    """Add (or replace, by name: ready() may run twice in tests) a panel on the ticket page."""
    if panel.column not in ("main", "side"):
        raise ValueError(f"Panel column must be 'main' or 'side', not {panel.column!r}.")
    _panels[panel.name] = panel


def unregister(name: str) -> None:
    _panels.pop(name, None)


def registered() -> list[TicketPanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))


def panel_with_form(name: str) -> TicketPanel | None:
    """The panel that draws the on-demand form `name` (rule 5), if any."""
    return next((panel for panel in _panels.values() if name in panel.forms), None)


def form_requested(request: HttpRequest, name: str) -> bool:
    """Whether this request asks for the on-demand form `name` (?form=<name>)."""
    return request.method == "GET" and request.GET.get("form") == name


def panels_for(
    request: HttpRequest, ticket: Ticket, bound: dict[str, Any] | None = None
) -> list[RenderedPanel]:
    bound = bound or {}
    return [
        RenderedPanel(
            name=panel.name,
            template=panel.template,
            column=panel.column,
            context=panel.context(request, ticket, bound),
        )
        for panel in registered()
    ]
