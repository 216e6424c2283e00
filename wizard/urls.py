from django.urls import path

import portal.converters  # noqa: F401 - registers the "id" path converter
from wizard.views import channels, choices, review, revisions, steps, workflow
from wizard.views import preview as preview_views

app_name = "wizard"

urlpatterns = [
    path("", channels.channel_list, name="channels"),
    path("new/", channels.channel_new, name="new"),
    path("<id:pk>/", channels.channel_detail, name="channel"),
    path("<id:pk>/duplicate/", channels.channel_duplicate, name="duplicate"),
    path("<id:pk>/delete/", channels.channel_delete, name="delete"),
    path("<id:pk>/steps/", steps.resume, name="resume"),
    path("<id:pk>/steps/<slug:slug>/", steps.step_view, name="step"),
    path("<id:pk>/submit/", workflow.submit, name="submit"),
    path("<id:pk>/review/", review.review, name="review"),
    path("<id:pk>/preview/", preview_views.preview, name="preview"),
    path("<id:pk>/preview/frame/", preview_views.frame, name="preview_frame"),
    path(
        "<id:pk>/revisions/<id:number>/preview/",
        preview_views.revision_frame,
        name="revision_preview_frame",
    ),
    path("<id:pk>/review/approve/", review.approve, name="approve"),
    path("<id:pk>/review/request-changes/", review.request_changes, name="request_changes"),
    path("<id:pk>/withdraw/", review.withdraw, name="withdraw"),
    path("<id:pk>/revisions/compare/", revisions.compare, name="compare"),
    path("<id:pk>/revisions/<id:number>/restore/", revisions.restore, name="restore"),
    path("<id:pk>/choices/refresh/", choices.refresh_choices, name="refresh_choices"),
]
