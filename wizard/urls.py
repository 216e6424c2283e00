from django.urls import path

from wizard.views import channels, publish, review, revisions, steps, workflow
from wizard.views import preview as preview_views

app_name = "wizard"

urlpatterns = [
    path("", channels.channel_list, name="channels"),
    path("new/", channels.channel_new, name="new"),
    path("<int:pk>/", channels.channel_detail, name="channel"),
    path("<int:pk>/duplicate/", channels.channel_duplicate, name="duplicate"),
    path("<int:pk>/delete/", channels.channel_delete, name="delete"),
    path("<int:pk>/steps/", steps.resume, name="resume"),
    path("<int:pk>/steps/<slug:slug>/", steps.step_view, name="step"),
    path("<int:pk>/submit/", workflow.submit, name="submit"),
    path("<int:pk>/review/", review.review, name="review"),
    path("<int:pk>/preview/", preview_views.preview, name="preview"),
    path("<int:pk>/preview/frame/", preview_views.frame, name="preview_frame"),
    path(
        "<int:pk>/revisions/<int:number>/preview/",
        preview_views.revision_frame,
        name="revision_preview_frame",
    ),
    path("<int:pk>/review/approve/", review.approve, name="approve"),
    path("<int:pk>/review/request-changes/", review.request_changes, name="request_changes"),
    path("<int:pk>/withdraw/", review.withdraw, name="withdraw"),
    path("<int:pk>/revisions/compare/", revisions.compare, name="compare"),
    path("<int:pk>/revisions/<int:number>/restore/", revisions.restore, name="restore"),
    path("<int:pk>/publish/", publish.publish, name="publish"),
    path("<int:pk>/publish/status/", publish.publish_status, name="publish_status"),
    path("<int:pk>/choices/refresh/", publish.refresh_choices, name="refresh_choices"),
]
