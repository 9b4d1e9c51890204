from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/code/", views.sign_in_code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", views.two_factor_setup, name="two-factor"),
    path("account/sessions/", views.my_sessions, name="my-sessions"),
    path("account/people/<int:pk>/sessions/", views.person_sessions, name="person-sessions"),
    path("account/people/<int:pk>/sign-out/", views.person_sign_out, name="person-sign-out"),
    path("password-reset/", views.StaffPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.StaffPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.StaffPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.StaffPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
