"""How vendors follow ticket changes (tickets.signals). Each receiver runs inside the service's
transaction, with the ticket row already locked."""

from datetime import datetime

from tickets import signals
from tickets.models import Ticket
from vendors import services


def on_status_changed(ticket: Ticket, at: datetime, old: str, new: str, **_) -> None:
    services.vendor_wait_changed(ticket, old=old, new=new, at=at)


def connect() -> None:
    signals.status_changed.connect(on_status_changed, dispatch_uid="vendors.status_changed")
