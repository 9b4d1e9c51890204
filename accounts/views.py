from django.contrib.auth import views as auth_views

from accounts.forms import StaffAuthenticationForm


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True
