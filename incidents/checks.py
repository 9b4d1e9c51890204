"""Checks an incident update (or resolution) must pass before it goes to the linked tickets, run
once over the whole incident (DESIGN rule 8): apps above incidents register theirs from their
AppConfig.ready() (the vendors app: the vendor-mention guard over the vendors of every linked
ticket and of the incident's own escalations), so incidents never imports vendors.

A check takes (incident, body) and returns the phrases it objects to. It must run a fixed number
of queries whatever the number of linked tickets: it is the only per-update check the web
request runs; everything per ticket happens in the fan-out.
"""

from collections.abc import Callable

from incidents.models import Incident

IncidentUpdateCheck = Callable[[Incident, str], list[str]]
incident_update_checks: list[IncidentUpdateCheck] = []


def register_check(check: IncidentUpdateCheck) -> None:
    if check not in incident_update_checks:
        incident_update_checks.append(check)


def held_back_phrases(incident: Incident, body: str) -> list[str]:
    matches: list[str] = []
    for check in incident_update_checks:
        matches.extend(phrase for phrase in check(incident, body) if phrase not in matches)
    return matches
