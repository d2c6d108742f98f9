from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from partners.files import stored_file

from .views import home, registry

# The registry (diariet) of every document: /diarium/ (namespace "registry").
registry_urls = (
    [
        path("", registry.registry_list, name="list"),
        path("exportera/", registry.registry_export, name="export"),
    ],
    "registry",
)

admin.site.site_header = "IOP-stöd"
admin.site.site_title = "IOP-stöd"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", home.home, name="home"),
    path("halsa/", home.health, name="health"),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("arenden/", include("iop.case_urls")),
    path("diarium/", include(registry_urls)),
    path("organisationer/", include("partners.urls")),
    path("aviseringar/", include("iop.notification_urls")),
    path("", include("agreements.urls")),
    path("", include("decisions.urls")),
    path("", include("followups.urls")),
    path("", include("finance.urls")),
    path("", include("oversight.urls")),
    path("admin/", admin.site.urls),
    # Every stored file, checked (partners.files); MEDIA_URL points here, and no settings
    # serve the storage's directory directly.
    path("filer/<path:name>", stored_file, name="stored_file"),
]
