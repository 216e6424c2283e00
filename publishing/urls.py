"""Publishing's pages; mounted under ``/channels/`` beside the wizard's, so the addresses stay as they were."""

from django.urls import path

import portal.converters  # noqa: F401 - registers the "id" path converter
from publishing.views import publish

app_name = "publishing"

urlpatterns = [
    path("<id:pk>/publish/", publish.publish, name="publish"),
    path("<id:pk>/publish/status/", publish.publish_status, name="publish_status"),
]
