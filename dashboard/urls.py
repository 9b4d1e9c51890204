"""The manager dashboard's pages, included under /dashboard/ by servicedesk/urls.py."""

from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.manager_dashboard, name="manager-dashboard"),
    path("mine/", views.my_figures, name="dashboard-mine"),
    path("losses/", views.losses, name="dashboard-losses"),
    path("losses/<int:pk>/", views.revise_loss_view, name="dashboard-loss"),
    path("tickets/<int:pk>/reassign/", views.reassign, name="dashboard-reassign"),
    path("tickets/<int:pk>/loss/", views.record_loss_for_ticket, name="dashboard-record-loss"),
]
