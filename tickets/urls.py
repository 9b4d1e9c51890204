from django.urls import path

from tickets import views

urlpatterns = [
    # The staff home is the queue; "home" stays the name other pages link to.
    path("", views.queue, name="home"),
    path("triage/", views.triage, name="triage"),
    path("queue/bulk/", views.queue_bulk, name="queue-bulk"),
    path("tickets/new/", views.new_ticket, name="ticket-new"),
    path("tickets/autocomplete/<slug:source>/", views.autocomplete, name="autocomplete"),
    path("tickets/priority-preview/", views.priority_preview, name="priority-preview"),
    path("tickets/<int:pk>/", views.ticket_page, name="ticket"),
    path("tickets/<int:pk>/own/", views.take_ownership, name="ticket-own"),
    path("tickets/<int:pk>/handover/", views.handover, name="ticket-handover"),
    path("tickets/<int:pk>/triage/", views.triage_ticket, name="ticket-triage"),
    path("tickets/<int:pk>/details/", views.edit_details, name="ticket-details"),
    path("tickets/<int:pk>/priority/", views.override_priority, name="ticket-priority"),
    path("tickets/<int:pk>/collaborators/", views.add_collaborator, name="ticket-collaborator-add"),
    path(
        "tickets/<int:pk>/collaborators/<int:user_id>/remove/",
        views.remove_collaborator,
        name="ticket-collaborator-remove",
    ),
]
