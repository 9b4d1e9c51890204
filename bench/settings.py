"""The app's own settings plus one middleware that reports server time and SQL query counts.

Only the benchmark runner starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings; production
and the test suite never load this module.
"""

from servicedesk.settings import *  # noqa: F403
from servicedesk.settings import MIDDLEWARE

MIDDLEWARE = ["bench.middleware.server_timing", *MIDDLEWARE]

# The benchmark signs its users in with session cookies and a token it makes, without a second
# factor (API.md lets a test harness keep the v1 behaviour): every page is measured as itself,
# never as a redirect to the two-factor enrolment.
STAFF_2FA_REQUIRED_ROLES: list[str] = []
