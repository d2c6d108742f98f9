"""URLs under /arenden/ (cases)."""

from django.urls import path  # noqa: F401

from .views import case, checklist, documents, intake, register, registry

app_name = "cases"
urlpatterns: list = [
    path("", register.case_list, name="list"),
    path("exportera/", register.case_export, name="export"),
    path("nytt/", intake.case_create, name="create"),
    path("<int:pk>/", case.case_detail, name="detail"),
    path("<int:pk>/atgard/<slug:name>/", case.case_transition_view, name="transition"),
    path("<int:pk>/handlaggare/", case.case_reassign, name="reassign"),
    path("<int:pk>/checklista/", checklist.checklist, name="checklist"),
    path("<int:pk>/handlingar/", documents.case_documents, name="documents"),
    path("<int:pk>/handlingar/ny/", documents.case_document_create, name="document_create"),
    path("<int:pk>/diarium/", registry.case_registry, name="registry"),
    path(
        "<int:pk>/handlingar/<int:document_pk>/fil/",
        documents.case_document_download,
        name="document_download",
    ),
]
