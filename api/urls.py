"""The API's routes. A new resource is one module under api/ and one line here."""

from django.conf import settings
from django.urls import include, path, re_path, register_converter
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import (
    accounts,
    agent_speed,
    audit,
    billing,
    errors,
    inbound,
    incidents,
    losses,
    notifications,
    overdue,
    saved_replies,
    tickets,
    timeline,
    vendors,
)
from api.auth import TokenView


class IdConverter:
    """A database id: at most 18 digits, so no lookup can overflow a bigint."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


class SchemaView(errors.JsonErrors, SpectacularAPIView):
    pass


# Swagger UI, the docs page's third-party viewer, brings a <style> block of its own and draws its
# icons as data: images; only this page allows inline styles and data: images. Its script is a
# separate file (the split view), so script-src stays as strict as everywhere else.
API_DOCS_CSP = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
}


@method_decorator(csp_override(API_DOCS_CSP), name="dispatch")
class DocsView(errors.JsonErrors, SpectacularSwaggerSplitView):
    pass


router = SimpleRouter()
router.register("organizations", accounts.OrganizationViewSet, basename="organization")
router.register("users", accounts.UserViewSet, basename="user")
router.register("tickets", tickets.TicketViewSet, basename="ticket")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("losses", losses.LossViewSet, basename="loss")
router.register("vendors", vendors.VendorViewSet, basename="vendor")
router.register("inbound", inbound.InboundMessageViewSet, basename="inbound")
router.register("responses", saved_replies.SavedReplyViewSet, basename="response")

TICKET = "tickets/<id:ticket_id>/"
billing_urls = [
    path("work-types/", billing.WorkTypeListView.as_view(), name="work-types"),
    path("work-types/<id:work_type_id>/", billing.WorkTypeView.as_view(), name="work-type"),
    path("tickets/<id:ticket_id>/time/", billing.TicketTimeView.as_view(), name="ticket-time"),
    path("time-entries/", billing.TimeEntryListView.as_view(), name="time-entries"),
    path("time-entries/export/", billing.ExportView.as_view(), name="time-entries-export"),
    path("time-entries/<id:entry_id>/", billing.TimeEntryView.as_view(), name="time-entry"),
    path(
        "organizations/<id:organization_id>/contract/",
        billing.ContractView.as_view(),
        name="organization-contract",
    ),
    path(
        "organizations/<id:organization_id>/usage/",
        billing.UsageView.as_view(),
        name="organization-usage",
    ),
    path("billing/months/<str:month>/close/", billing.MonthCloseView.as_view(), name="month-close"),
    path(
        "billing/months/<str:month>/reopen/", billing.MonthReopenView.as_view(), name="month-reopen"
    ),
]
ESCALATION = "escalations/<id:escalation_id>/"
INCIDENT = "incidents/<id:incident_id>/"

v1 = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("tickets/bulk/", agent_speed.BulkView.as_view(), name="tickets-bulk"),
    path(f"{TICKET}merge/", agent_speed.MergeView.as_view(), name="ticket-merge"),
    path(f"{TICKET}split/", agent_speed.SplitView.as_view(), name="ticket-split"),
    path(f"{TICKET}updates/", timeline.TicketUpdatesView.as_view(), name="ticket-updates"),
    path(
        f"{TICKET}confirm-understanding/",
        timeline.ConfirmUnderstandingView.as_view(),
        name="ticket-confirm-understanding",
    ),
    path(f"{TICKET}feedback/", timeline.FeedbackView.as_view(), name="ticket-feedback"),
    path(
        f"{TICKET}escalations/",
        vendors.TicketEscalationsView.as_view(),
        name="ticket-escalations",
    ),
    path(ESCALATION, vendors.EscalationView.as_view(), name="escalation"),
    path(f"{ESCALATION}notes/", vendors.EscalationNotesView.as_view(), name="escalation-notes"),
    path("incidents/", incidents.IncidentListView.as_view(), name="incidents"),
    path(f"{INCIDENT}", incidents.IncidentView.as_view(), name="incident"),
    path(f"{INCIDENT}tickets/", incidents.IncidentTicketsView.as_view(), name="incident-tickets"),
    path(
        f"{INCIDENT}tickets/<id:ticket_id>/",
        incidents.IncidentTicketView.as_view(),
        name="incident-ticket",
    ),
    path(f"{INCIDENT}updates/", incidents.IncidentUpdatesView.as_view(), name="incident-updates"),
    path("overdue/", overdue.OverdueTicketsView.as_view(), name="overdue"),
    path("audit-log/", audit.AuditLogView.as_view(), name="audit-log"),
    path("attachments/", include("attachments.urls")),
    *billing_urls,
    *router.urls,
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    # "." stops at a newline: a path holding %0A falls through to servicedesk.errors'
    # page_not_found, which answers JSON under /api/ too.
    re_path(r"^.*$", errors.not_found),
]
