from django.urls import path

from saved_replies import views

urlpatterns = [
    path("", views.reply_list, name="saved-replies"),
    path("<int:pk>/", views.reply_edit, name="saved-reply"),
    path("<int:pk>/delete/", views.reply_delete, name="saved-reply-delete"),
]
