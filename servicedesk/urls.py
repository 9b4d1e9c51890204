from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from servicedesk import csp
from servicedesk.favicon import favicon

handler400 = "servicedesk.errors.bad_request"
handler403 = "servicedesk.errors.permission_denied"
handler404 = "servicedesk.errors.page_not_found"
handler500 = "servicedesk.errors.server_error"

admin.site.site_header = "Service desk administration"
admin.site.site_title = "Service desk admin"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # The admin signs in through the staff sign-in, which asks for the two-factor code.
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path(settings.CSP_REPORT_PATH.lstrip("/"), csp.report, name="csp-report"),
    # Above the api app's catch-all: the api app cannot import webhooks (it sits above it).
    path("api/v1/", include("webhooks.api_urls")),
    path("api/", include("api.urls")),
    path("", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include("updates.keeper.urls")),
    path("", include("updates.urls")),
    path("portal/", include("portal.urls")),
    path("vendors/", include("vendors.urls")),
    path("incidents/", include("incidents.urls")),
    path("inbound/", include("inbound.urls")),
    path("replies/", include("saved_replies.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("billing/", include("billing.urls")),
    path("audit/", include("audit.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
]
