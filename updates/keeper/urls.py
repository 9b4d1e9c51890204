from django.urls import path

from updates.keeper import views

urlpatterns = [
    path("status/", views.status_page, name="keeper-status"),
    path("status.json", views.status_json, name="keeper-status-json"),
]
