from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from partners.files import stored_file

from .views import accessibility, account, home, registry

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
    # Browsers ask for /favicon.ico on pages that name no icon (Django admin's).
    path("favicon.ico", home.favicon, name="favicon"),
    path("tillganglighet/", accessibility.statement, name="accessibility"),  # issue 12
    path("konto/logga-in/", account.StaffLoginView.as_view(), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    # --- Authentication and sessions (issue 12)
    path("konto/utloggad/", account.logged_out, name="logged_out"),
    path("konto/fortsatt/", account.keep_alive, name="keep_alive"),
    path("konto/sparrade/", account.lockouts, name="account_lockouts"),
    path("konto/sparrade/las-upp/", account.unlock, name="account_unlock"),
    path("arenden/", include("iop.case_urls")),
    path("diarium/", include(registry_urls)),
    path("organisationer/", include("partners.urls")),
    path("aviseringar/", include("iop.notification_urls")),
    path("", include("agreements.urls")),
    path("", include("decisions.urls")),
    path("", include("followups.urls")),
    path("", include("finance.urls")),
    path("", include("oversight.urls")),
    path(settings.ADMIN_URL, admin.site.urls),  # "admin/" unless ADMIN_URL says otherwise
    # Every stored file, checked (partners.files); MEDIA_URL points here, and no settings
    # serve the storage's directory directly.
    path("filer/<path:name>", stored_file, name="stored_file"),
]

if settings.OIDC_ENABLED:
    # Single sign-on (iop.oidc): its start and callback, public like the login page.
    urlpatterns.append(path("oidc/", include("iop.oidc")))
