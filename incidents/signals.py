"""Events of the incidents app that apps above it (webhooks) may react to. Sent inside the
service's transaction.
"""

from django.dispatch import Signal

# incident, entry (the IncidentEntry posted, or None for a change of its fields), at
incident_updated = Signal()
