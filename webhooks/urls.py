from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("<int:pk>/", views.subscription_page, name="detail"),
    path("<int:pk>/ping/", views.ping, name="ping"),
    path("<int:pk>/active/", views.set_active, name="active"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/deliveries/<int:delivery_id>/redeliver/", views.redeliver, name="redeliver"),
]
