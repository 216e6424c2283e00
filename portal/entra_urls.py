from django.urls import path

from portal.views import entra

app_name = "entra"

urlpatterns = [
    path("login/", entra.entra_login, name="login"),
    path("callback/", entra.entra_callback, name="callback"),
]
