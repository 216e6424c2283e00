"""Publishing's pages; mounted under ``/channels/`` beside the wizard's, so the addresses stay as they were."""

from django.urls import path

import portal.converters  # noqa: F401 - registers the "id" path converter
from publishing.views import drift, imports, promote, publish, schedule

app_name = "publishing"

urlpatterns = [
    path("<id:pk>/publish/", publish.publish, name="publish"),
    path("<id:pk>/publish/status/", publish.publish_status, name="publish_status"),
    path("<id:pk>/drift/check/", drift.check_drift, name="check_drift"),
    path("<id:pk>/drift/", drift.resolve_drift, name="resolve_drift"),
    path("<id:pk>/promote/", promote.promote, name="promote"),
    path("<id:pk>/roll-back/", schedule.roll_back, name="roll_back"),
    path("<id:pk>/schedule/", schedule.schedule, name="schedule"),
    path("<id:pk>/schedule/cancel/", schedule.cancel_schedule, name="cancel_schedule"),
    path("import/", imports.import_channels, name="import"),
    path("environments/compare/", promote.compare_environments, name="compare_environments"),
]
