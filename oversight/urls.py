"""Oversight's pages: the portfolio (/portfolj/), the yearly statistics (/statistik/), the
auditor's dossier under the case (/arenden/<case>/akt/), and the public register
(/offentligt/iop/, no login)."""

from django.urls import include, path

from .views import dossier, portfolio, public, statistics

app_name = "oversight"

urlpatterns = [
    path("portfolj/", include(portfolio.urlpatterns)),
    path("statistik/", include(statistics.urlpatterns)),
    path("arenden/<int:case_pk>/akt/", include(dossier.urlpatterns)),
    path("offentligt/iop/", include(public.urlpatterns)),
]
