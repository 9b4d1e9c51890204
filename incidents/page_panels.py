"""Panels the apps above incidents add to the incident page (as tickets.panels does for the
ticket page): the vendors app registers the incident's vendor escalations from its
AppConfig.ready(), so incidents never imports vendors. Each panel's context function takes the
request, the incident and the forms a failed POST bound (by name), and returns the template's
context; the page includes each panel's template with that context as `panel`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from incidents.models import Incident


@dataclass(frozen=True)
class IncidentPanel:
    name: str
    template: str
    context: Callable[[HttpRequest, Incident, dict[str, Any]], dict[str, Any]]
    order: int = 50


PANELS: dict[str, IncidentPanel] = {}


def register(panel: IncidentPanel) -> None:
    PANELS[panel.name] = panel


def rendered(request: HttpRequest, incident: Incident, bound: dict[str, Any]) -> list[dict]:
    return [
        {
            "name": panel.name,
            "template": panel.template,
            "panel": panel.context(request, incident, bound),
        }
        for panel in sorted(PANELS.values(), key=lambda panel: (panel.order, panel.name))
    ]
