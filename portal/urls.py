from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

import portal.converters  # noqa: F401 - registers the "id" path converter
from portal.views import audit, home, sign_in

urlpatterns = [
    path("", home.home, name="home"),
    path("favicon.ico", home.favicon, name="favicon"),
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/logout/", sign_in.SignOutView.as_view(), name="logout"),
    path("accounts/microsoft/", include("portal.entra_urls")),
    path("channels/", include("wizard.urls")),
    path("channels/", include("publishing.urls")),
    path("environments/", include("portal.environment_urls")),
    # Signed in or not: the sign-in page offers the language menu too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.csv", audit.audit_export, {"fmt": "csv"}, name="audit_export_csv"),
    path("audit/export.json", audit.audit_export, {"fmt": "json"}, name="audit_export_json"),
    path("admin/", admin.site.urls),
]
