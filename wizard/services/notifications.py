"""E-mail notifications of the review workflow, sent through Django's mail framework.

The workflow queues these as background tasks (``wizard.tasks``) once its transaction commits, so
nobody is told about a change that was rolled back and nobody waits for the mail server. Links are
absolute, built from ``PORTAL_BASE_URL`` (default: the development server).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.permissions import REVIEW_CHANNEL
from wizard.models import Revision

logger = logging.getLogger(__name__)


def _url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def reviewer_addresses(exclude_ids: set[int]) -> list[str]:
    """E-mail addresses of active users who may review, except ``exclude_ids``."""
    app_label, codename = REVIEW_CHANNEL.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    query = Q(is_superuser=True)
    if permission is not None:
        query |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    users = (
        get_user_model()
        .objects.filter(query, is_active=True)
        .exclude(pk__in=exclude_ids)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return [user.email for user in users]


def _send(messages: list[EmailMessage]) -> None:
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except OSError:  # the change itself succeeded; a mail server outage must not undo it
        logger.exception("Could not send %d workflow e-mails", len(messages))


def revision_submitted(revision: Revision) -> None:
    """Tell every reviewer who may approve it (not its author or editors) that a revision awaits review."""
    from wizard.services.workflow import involved_user_ids

    channel = revision.channel
    subject = _("Review requested: %(name)s (revision %(number)d)") % {
        "name": channel.display_name,
        "number": revision.number,
    }
    body = _(
        "%(user)s submitted revision %(number)d of “%(name)s” for review.\n\n%(comment)s"
        "Review it here: %(url)s\n"
    ) % {
        "user": revision.created_by.get_username(),
        "number": revision.number,
        "name": channel.display_name,
        "comment": (revision.submit_comment + "\n\n") if revision.submit_comment else "",
        "url": _url(reverse("wizard:review", args=[channel.pk])),
    }
    addresses = reviewer_addresses(involved_user_ids(revision))
    _send([EmailMessage(subject, body, to=[address]) for address in addresses])


def revision_reviewed(revision: Revision, *, approved: bool) -> None:
    """Tell the revision's author it was approved or sent back (``approved`` says which: by the time
    this runs, the revision may have moved on, published or superseded)."""
    channel = revision.channel
    author = revision.created_by
    if not author.email:
        return
    values = {
        "name": channel.display_name,
        "number": revision.number,
        "user": revision.reviewed_by.get_username() if revision.reviewed_by else "",
        "comment": revision.review_comment,
    }
    if approved:
        subject = _("Approved: %(name)s (revision %(number)d)") % values
        body = _("%(user)s approved revision %(number)d of “%(name)s”.\n") % values
        link = reverse("wizard:channel", args=[channel.pk])
    else:
        subject = _("Changes requested: %(name)s (revision %(number)d)") % values
        body = _("%(user)s requested changes to revision %(number)d of “%(name)s”.\n") % values
        link = channel.resume_url
    if revision.review_comment:
        body += "\n" + _("Comment: %(comment)s") % values + "\n"
    body += "\n" + _url(link) + "\n"
    _send([EmailMessage(subject, body, to=[author.email])])
