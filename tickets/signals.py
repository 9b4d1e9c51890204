"""Domain events the tickets services announce, so that apps above (the timeline, promises,
vendors) can react in the same transaction without this app importing them.

Every signal is sent explicitly by a service, never from a model save, with `ticket`, `by` (the
acting user or None for the system) and `at` (the moment of the change).
"""

from django.dispatch import Signal

# ticket, by, at
ticket_created = Signal()
# ticket, by, at, old, new: sent before the new status is saved (the promise ledger closes a
# promise the new status no longer owes, so the row never holds a deadline it may not have).
status_changing = Signal()
# ticket, by, at, old, new, customer_told (the caller tells the customer itself: no extra email)
status_changed = Signal()
# ticket, by, at, old, new, handover_note
owner_changed = Signal()
# ticket, by, at, old, new, reason
priority_changed = Signal()
# ticket, by, at, field, old, new  (eta, needed_by, problem_statement, understanding)
field_changed = Signal()
# ticket, by, at, user, added (True when added, False when removed)
collaborators_changed = Signal()
# tickets (the locked tickets), action (a tickets.bulk action name), by, at: sent once per bulk
# change (tickets.bulk), whose timelines the action wrote set-based without the signals above.
tickets_bulk_changed = Signal()
