from django.urls import path

from updates import dashboard_views, views

urlpatterns = [
    path("tickets/<int:pk>/updates/public/", views.public_update, name="ticket-public-update"),
    path(
        "tickets/<int:pk>/updates/preview/",
        views.preview_public_update,
        name="ticket-public-update-preview",
    ),
    path("tickets/<int:pk>/updates/note/", views.internal_note, name="ticket-internal-note"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.bell, name="notifications-bell"),
    path(
        "notifications/read-all/", views.mark_all_notifications_read, name="notifications-read-all"
    ),
    path("notifications/<int:pk>/read/", views.mark_notification_read, name="notification-read"),
    # The manager dashboard itself is at /dashboard/ (servicedesk/urls.py); its other pages:
    path("dashboard/mine/", dashboard_views.my_figures, name="dashboard-mine"),
    path("dashboard/losses/", dashboard_views.losses, name="dashboard-losses"),
    path("dashboard/losses/<int:pk>/", dashboard_views.revise_loss_view, name="dashboard-loss"),
    path(
        "dashboard/tickets/<int:pk>/reassign/",
        dashboard_views.reassign,
        name="dashboard-reassign",
    ),
    path(
        "dashboard/tickets/<int:pk>/loss/",
        dashboard_views.record_loss_for_ticket,
        name="dashboard-record-loss",
    ),
]
