"""URLs under /arenden/ (cases)."""

from django.urls import path  # noqa: F401

from .views import case, checklist, intake, register

app_name = "cases"
urlpatterns: list = [
    path("", register.case_list, name="list"),
    path("exportera/", register.case_export, name="export"),
    path("nytt/", intake.case_create, name="create"),
    path("<int:pk>/", case.case_detail, name="detail"),
    path("<int:pk>/atgard/<slug:name>/", case.case_transition_view, name="transition"),
    path("<int:pk>/handlaggare/", case.case_reassign, name="reassign"),
    path("<int:pk>/checklista/", checklist.checklist, name="checklist"),
]
