"""/aviseringar/: the user's notifications."""

from django.urls import path

from .views import notifications

app_name = "notifications"

urlpatterns = [
    path("", notifications.notification_list, name="list"),
    path("<int:pk>/last/", notifications.notification_mark_read, name="mark_read"),
    path("alla-lasta/", notifications.notification_mark_all_read, name="mark_all_read"),
]
