"""Background tasks of the review workflow (django-tasks): the e-mails it sends.

Sending mail in the request would keep the author or reviewer waiting on the mail server (with
Django's SMTP backend, as long as the server takes); the worker sends them instead, in the language
of the person who acted, as the request would have.
"""

from __future__ import annotations

from django.utils import translation
from django_tasks import task


@task()
def notify_revision_submitted(revision_id: int, language: str) -> None:
    """E-mail the reviewers who may approve revision ``revision_id`` that it awaits review."""
    from wizard.models import Revision
    from wizard.services import notifications

    revision = Revision.objects.select_related("channel", "created_by").filter(pk=revision_id).first()
    if revision is not None:
        with translation.override(language):
            notifications.revision_submitted(revision)


@task()
def notify_revision_reviewed(revision_id: int, approved: bool, language: str) -> None:
    """E-mail the author of revision ``revision_id`` that it was approved (or sent back)."""
    from wizard.models import Revision
    from wizard.services import notifications

    revision = (
        Revision.objects.select_related("channel", "created_by", "reviewed_by").filter(pk=revision_id).first()
    )
    if revision is not None:
        with translation.override(language):
            notifications.revision_reviewed(revision, approved=approved)
