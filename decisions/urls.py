"""The committee's pages: a case's matters under the case (/arenden/<case>/namnd/…) and the
committee's meetings (/namnd/…)."""

from django.urls import include, path

from .views import documents, matters, meetings, recording

app_name = "decisions"

urlpatterns = [
    path("arenden/<int:case_pk>/namnd/", include(matters.urlpatterns)),
    path("arenden/<int:case_pk>/namnd/", include(documents.urlpatterns)),
    path("namnd/", include(meetings.urlpatterns)),
    path("namnd/", include(recording.urlpatterns)),
]
