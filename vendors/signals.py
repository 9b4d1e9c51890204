"""Events of the vendors app that other parts of the system may react to. Sent inside the
service's transaction.
"""

from django.dispatch import Signal

# escalation, chase (VendorChase), messages (its updates.OutboxMessage rows, empty when nobody
# can be reminded), at
chase_due = Signal()
# escalation, by, at: an escalation opened, or its status or chase time changed
escalation_changed = Signal()
