from django.urls import path

from portal.views import environments, roles

app_name = "environments"

urlpatterns = [
    path("", environments.environment_list, name="list"),
    path("new/", environments.environment_new, name="new"),
    path("<int:pk>/", environments.environment_detail, name="detail"),
    path("<int:pk>/test/", environments.environment_test, name="test"),
    path("<int:pk>/delete/", environments.environment_delete, name="delete"),
    path("<int:pk>/restore/", environments.environment_restore, name="restore"),
    path("<int:pk>/roles/", roles.roles_page, name="roles"),
    path("<int:pk>/roles/change/", roles.roles_change, name="roles_change"),
    path("<int:pk>/checklist/", roles.checklist_fragment, name="checklist"),
]
