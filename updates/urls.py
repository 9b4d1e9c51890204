from django.urls import path

from updates import merge_views, notification_views, views

urlpatterns = [
    path("tickets/<int:pk>/updates/public/", views.public_update, name="ticket-public-update"),
    path(
        "tickets/<int:pk>/updates/preview/",
        views.preview_public_update,
        name="ticket-public-update-preview",
    ),
    path("tickets/<int:pk>/updates/note/", views.internal_note, name="ticket-internal-note"),
    path("tickets/<int:pk>/merge/", merge_views.merge, name="ticket-merge"),
    path("tickets/<int:pk>/split/", merge_views.split, name="ticket-split"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.bell, name="notifications-bell"),
    path("notifications/menu/", notification_views.notifications_menu, name="notifications-menu"),
    path(
        "account/notifications/",
        notification_views.notification_preferences,
        name="notification-preferences",
    ),
    path(
        "notifications/read-all/", views.mark_all_notifications_read, name="notifications-read-all"
    ),
    path("notifications/<int:pk>/read/", views.mark_notification_read, name="notification-read"),
]
