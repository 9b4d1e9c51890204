from django.urls import path

from vendors import views

app_name = "vendors"

urlpatterns = [
    path("", views.vendor_list, name="list"),
    path("scorecards.csv", views.scorecards_csv, name="scorecards-csv"),
    path("new/", views.vendor_new, name="new"),
    path("<int:pk>/", views.vendor_detail, name="detail"),
    path("<int:pk>/edit/", views.vendor_edit, name="edit"),
    path("<int:pk>/scorecard.csv", views.scorecard_csv, name="scorecard-csv"),
    path("tickets/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("incidents/<int:pk>/escalate/", views.escalate_incident, name="escalate-incident"),
    path("escalations/<int:pk>/", views.escalation_page, name="escalation"),
    path("escalations/<int:pk>/notes/", views.escalation_note, name="escalation-note"),
    path("escalations/<int:pk>/status/", views.escalation_status, name="escalation-status"),
    path("escalations/<int:pk>/chase/", views.escalation_chase, name="escalation-chase"),
    path("escalations/<int:pk>/rca/", views.escalation_rca, name="escalation-rca"),
]
