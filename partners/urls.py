"""URLs under /organisationer/ (namespace "partners")."""

from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("ny/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/andra/", views.organisation_update, name="update"),
    path("<int:pk>/kontaktpersoner/ny/", views.contact_create, name="contact_create"),
    path(
        "<int:pk>/kontaktpersoner/<int:contact_pk>/andra/",
        views.contact_update,
        name="contact_update",
    ),
    path("<int:pk>/handlingar/ny/", views.document_create, name="document_create"),
    path(
        "<int:pk>/handlingar/<int:document_pk>/fil/",
        views.document_download,
        name="document_download",
    ),
    path("<int:pk>/vardegrundsintyg/nytt/", views.declaration_create, name="declaration_create"),
    path(
        "<int:pk>/vardegrundsintyg/blankett.pdf",
        views.declaration_pdf,
        name="declaration_pdf",
    ),
    path(
        "<int:pk>/vardegrundsintyg/<int:declaration_pk>/intyg.pdf",
        views.declaration_pdf,
        name="declaration_pdf",
    ),
    path(
        "<int:pk>/vardegrundsintyg/<int:declaration_pk>/skannad/",
        views.declaration_scan,
        name="declaration_scan",
    ),
    path("<int:pk>/bidrag/nytt/", views.grant_create, name="grant_create"),
    path(
        "<int:pk>/bidrag/<int:grant_pk>/aterkalla/",
        views.grant_withdraw,
        name="grant_withdraw",
    ),
]
