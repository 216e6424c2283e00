from django.urls import path

import portal.converters  # noqa: F401 - registers the "id" path converter
from portal.views import environments, roles

app_name = "environments"

urlpatterns = [
    path("", environments.environment_list, name="list"),
    path("new/", environments.environment_new, name="new"),
    path("<id:pk>/", environments.environment_detail, name="detail"),
    path("<id:pk>/test/", environments.environment_test, name="test"),
    path("<id:pk>/delete/", environments.environment_delete, name="delete"),
    path("<id:pk>/restore/", environments.environment_restore, name="restore"),
    path("<id:pk>/roles/", roles.roles_page, name="roles"),
    path("<id:pk>/roles/change/", roles.roles_change, name="roles_change"),
    path("<id:pk>/checklist/", roles.checklist_fragment, name="checklist"),
]
