"""The follow-up's pages: a case's follow-up under the case (/arenden/<case>/uppfoljning/…),
the oversight per committee (/uppfoljning/…), the calendar feeds (/kalender/…) and absences
(/franvaro/)."""

from django.urls import include, path

from .views import absence, calendar, case, ending, oversight

app_name = "followups"

urlpatterns = [
    path("arenden/<int:case_pk>/uppfoljning/", include(case.urlpatterns)),
    path("arenden/<int:case_pk>/uppfoljning/", include(ending.urlpatterns)),
    path("uppfoljning/", include(oversight.urlpatterns)),
    path("kalender/", include(calendar.urlpatterns)),
    path("franvaro/", include(absence.urlpatterns)),
]
