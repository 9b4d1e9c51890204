from django.urls import path

from portal import auth_views, views

app_name = "portal"

urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.new_request, name="new_request"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", views.reply, name="reply"),
    path("tickets/<int:pk>/confirm/", views.confirm_understanding, name="confirm"),
    path("tickets/<int:pk>/not-quite/", views.not_quite, name="not_quite"),
    path("tickets/<int:pk>/feedback/", views.give_feedback, name="feedback"),
    path("login/", auth_views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.PortalLogoutView.as_view(), name="logout"),
    path("sign-in-link/", auth_views.request_sign_in_link, name="sign_in_link"),
    path("sign-in/", auth_views.sign_in_with_link, name="sign_in"),
    path("organisation/sign-in/", auth_views.sign_in_policy, name="sign_in_policy"),
    path(
        "password-reset/",
        auth_views.PortalPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PortalPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PortalPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
