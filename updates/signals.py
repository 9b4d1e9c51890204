"""Events of the updates app that apps above it (webhooks) may react to. Each is sent by a
service inside its transaction, so a receiver's writes commit or roll back with the change.
"""

from django.dispatch import Signal

# entry (a TimelineEntry: public update, internal note or customer reply), at
entry_posted = Signal()
# alert (a PromiseAlert that just fired: due_soon, breached, still_breached), at
alert_fired = Signal()
# feedback, at
feedback_received = Signal()
# loss, at
loss_recorded = Signal()
