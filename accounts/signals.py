"""Security events the accounts app announces; the audit app (above it) records them.

Accounts sits below audit and may not import it, so its services send these and
``audit.receivers`` writes the log. Each is sent inside the transaction that made the change, with
``request`` when there is one (the address and the acting user come from it).
"""

from django.dispatch import Signal

# sender=User class; kwargs: user, request
two_factor_enabled = Signal()
# kwargs: user (whose token), request, how ("password_and_code", "password", ...)
token_created = Signal()
# kwargs: user (whose role), actor, request, old, new
role_changed = Signal()
# kwargs: user, actor, request
user_deactivated = Signal()
# kwargs: target (a model instance), actor, request, fields (names changed)
settings_changed = Signal()
# A sign-in link or password reset refused by accounts.throttle. kwargs: request, purpose
# ("sign_in_link", "password_reset"), email (as typed: never a user, so nothing says whether the
# address has an account), client (the address counted), over ("address" and/or "client")
email_request_throttled = Signal()
