"""The app's own settings plus one middleware that reports server time and SQL query counts.

Only the benchmark runner starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings; production
and the test suite never load this module.
"""

from servicedesk.settings import *  # noqa: F403
from servicedesk.settings import MIDDLEWARE

MIDDLEWARE = ["bench.middleware.server_timing", *MIDDLEWARE]
