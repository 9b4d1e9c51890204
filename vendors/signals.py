"""Events of the vendors app that other parts of the system may react to (the notification outbox
may e-mail chase reminders). Sent inside the service's transaction.
"""

from django.dispatch import Signal

# escalation, chase (VendorChase), notification (updates.Notification or None), at
chase_due = Signal()
