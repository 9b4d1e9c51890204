from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("<int:pk>/", views.incident_page, name="detail"),
    path("<int:pk>/progress/", views.incident_progress, name="progress"),
    path("<int:pk>/updates/", views.post_update, name="update"),
    path("<int:pk>/notes/", views.add_note, name="note"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/tickets/", views.link, name="link"),
    path("<int:pk>/tickets/<int:ticket_id>/unlink/", views.unlink, name="unlink"),
    path("tickets/<int:ticket_id>/link/", views.link_from_ticket, name="link-from-ticket"),
]
