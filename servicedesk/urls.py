from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Service desk administration"
admin.site.site_title = "Service desk admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include("updates.keeper.urls")),
    path("", include("updates.urls")),
    path("portal/", include("portal.urls")),
    path("vendors/", include("vendors.urls")),
]
