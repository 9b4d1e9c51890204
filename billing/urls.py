from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_page, name="month"),
    path("organizations/<int:pk>/", views.organization_month, name="organization"),
    path("organizations/<int:pk>/contract/", views.contract_page, name="contract"),
    path(
        "months/<str:month>/close/",
        views.close_or_reopen,
        {"action": "close"},
        name="close-month",
    ),
    path(
        "months/<str:month>/reopen/",
        views.close_or_reopen,
        {"action": "reopen"},
        name="reopen-month",
    ),
    path("tickets/<int:pk>/time/", views.log_time, name="log-time"),
    path("entries/<int:pk>/", views.edit_entry, name="entry"),
    path("entries/<int:pk>/delete/", views.delete_entry, name="delete-entry"),
]
