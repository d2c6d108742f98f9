"""Finance's pages: the year's payment plan (/utbetalningar/) and a case's payments under the
case (/arenden/<case>/utbetalningar/)."""

from django.urls import include, path

from .views import case, plan

app_name = "finance"

urlpatterns = [
    path("utbetalningar/", include(plan.urlpatterns)),
    path("arenden/<int:case_pk>/utbetalningar/", include(case.urlpatterns)),
]
