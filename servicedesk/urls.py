from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Service desk administration"
admin.site.site_title = "Service desk admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("accounts.urls")),
    path("", include("tickets.urls")),
]
