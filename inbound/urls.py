from django.urls import path

from inbound import views

app_name = "inbound"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/", views.message_page, name="message"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/discard/", views.discard, name="discard"),
]
