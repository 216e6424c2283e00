from django.contrib import admin
from django.urls import include, path

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
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.csv", audit.audit_export, {"fmt": "csv"}, name="audit_export_csv"),
    path("audit/export.json", audit.audit_export, {"fmt": "json"}, name="audit_export_json"),
    path("admin/", admin.site.urls),
]
