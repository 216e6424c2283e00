"""Review workflow transitions: submit, withdraw, approve, request changes, restore, publish checks.

Each transition is one function that checks permission and state, changes the state and writes an
audit entry, in one transaction with the channel row locked, so two people acting at once cannot
both win: the second one finds the state already changed and is told what happened.

Refusals of privileged actions (approve, request changes, publish) and every refusal for lack of
permission are written to the audit log as ``<action>_refused`` after the refused transaction was
rolled back.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks.base import Task

from portal import audit
from portal.permissions import CHANGE_CHANNEL, PUBLISH_CHANNEL, REVIEW_CHANNEL
from wizard import tasks
from wizard.models import Channel, ChannelStatus, ReviewComment, Revision, states
from wizard.models.states import Action
from wizard.steps import FORM_STEP_SLUGS, STEP_SLUGS
from wizard.values import read

T = TypeVar("T")

MAX_COMMENT = 2000
# Said while typing (portal.js, from the form's data-too-long-message) and by a refused comment alike.
COMMENT_TOO_LONG = gettext_lazy("Shorten the comment to at most %(limit)d characters (it has %(length)d).")


class WorkflowError(Exception):
    """A transition that is not possible in the channel's current state; ``str()`` says why."""


class CommentError(WorkflowError):
    """The comment can't be taken as it is; ``str()`` says what to change."""


class CommentRequiredError(CommentError):
    """Changes were requested without saying what should change."""


class CommentTooLongError(CommentError):
    """A comment longer than :data:`MAX_COMMENT`: refused, never cut short."""


class StaleRevisionError(WorkflowError):
    """The page showed a revision (or hash) that is no longer the one in review."""


class NotPublishableError(WorkflowError):
    """The revision was not approved exactly as it is."""


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``data``: same data, same hash, whatever the key order."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- helpers -------------------------------------------------------------------------------------------


def _username(user: Any) -> str:
    return user.get_username() if user is not None else _("someone")


def _guarded(
    user: User,
    action: str,
    channel: Channel,
    work: Callable[[], T],
    *,
    privileged: bool,
    revision: Revision | None = None,
) -> T:
    """Run ``work`` in a transaction; record a refusal in the audit log after the rollback."""
    try:
        with transaction.atomic():
            return work()
    except (PermissionDenied, WorkflowError) as error:
        if privileged or isinstance(error, PermissionDenied):
            audit.record(
                user,
                f"revision.{action}_refused",
                channel=channel,
                revision=revision,
                comment=str(error) or _("Permission denied."),
            )
        raise


def _locked(channel: Channel) -> Channel:
    return Channel.objects.select_for_update().get(pk=channel.pk)


def comment_limits() -> dict[str, Any]:
    """What a page with a comment box needs to say its limit while the user types: ``comment_limit``
    (characters, as :func:`_clean_comment` counts them) and ``comment_too_long_message``."""
    return {"comment_limit": MAX_COMMENT, "comment_too_long_message": COMMENT_TOO_LONG}


def _clean_comment(comment: str | None) -> str:
    cleaned = (comment or "").strip()
    if len(cleaned) > MAX_COMMENT:
        raise CommentTooLongError(str(COMMENT_TOO_LONG) % {"limit": MAX_COMMENT, "length": len(cleaned)})
    return cleaned


def in_review_revision(channel: Channel) -> Revision | None:
    return channel.revisions.filter(state=Revision.State.IN_REVIEW).order_by("-number").first()


def _user_ids(editor_ids: Iterable[Any]) -> set[int]:
    return {int(pk) for pk in editor_ids if str(pk).isdigit()}


def involved_user_ids(revision: Revision) -> set[int]:
    """The revision's author and everyone who edited the draft it froze: none of them may approve it."""
    return _user_ids(revision.editor_ids) | {revision.created_by_id}


def _editors_continuing_from(revision: Revision, channel: Channel) -> list[Any]:
    """The draft's editors once it continues from ``revision``: the revision's stay barred from approving."""
    return sorted(involved_user_ids(revision) | set(channel.editor_ids))


def _supersede_unpublished_approval(channel: Channel) -> None:
    """An approved revision that was never published is replaced by what comes next."""
    channel.revisions.filter(state=Revision.State.APPROVED).exclude(
        pk=channel.published_revision_id or 0
    ).update(state=Revision.State.SUPERSEDED)


def approval_refusal(revision: Revision, user: User) -> str | None:
    """Why ``user`` may not approve ``revision`` under the four-eyes rule (``None`` if they may)."""
    if not user.has_perm(REVIEW_CHANNEL):
        return _("You are not a reviewer, so you can't approve or request changes.")
    if user.pk == revision.created_by_id:
        return _(
            "You submitted revision %(number)d, so someone else has to review it. To change it "
            "yourself, withdraw it."
        ) % {"number": revision.number}
    if user.pk in involved_user_ids(revision):
        return _provenance_refusal(revision, user)
    return None


def _provenance_refusal(revision: Revision, user: User) -> str:
    """Say truly how ``user``'s work is in ``revision``: restored from an older revision, copied from
    another channel, or edited in the draft that was submitted."""
    earlier = [
        older
        for older in Revision.objects.filter(channel_id=revision.channel_id, number__lt=revision.number)
        .only("number", "content_hash", "created_by_id", "editor_ids")
        .order_by("-number")
        if user.pk in involved_user_ids(older)
    ]
    restored = next((older for older in earlier if older.content_hash == revision.content_hash), None)
    if restored is not None:
        return _(
            "You wrote part of this content (revision %(old)d, restored as revision %(number)d), so "
            "someone else has to approve it."
        ) % {"old": restored.number, "number": revision.number}
    if _copied_from_work_of(revision.channel_id, user):
        return _(
            "You wrote part of the channel this one was copied from (or made the copy), so someone "
            "else has to approve revision %(number)d."
        ) % {"number": revision.number}
    if earlier:
        return _(
            "Revision %(number)d continues from revision %(old)d, which you wrote or edited, so "
            "someone else has to approve it."
        ) % {"old": earlier[0].number, "number": revision.number}
    return _(
        "You edited this channel's draft before it was submitted as revision %(number)d, so someone "
        "else has to approve it."
    ) % {"number": revision.number}


def _copied_from_work_of(channel_id: int, user: User) -> bool:
    from portal.models import AuditEntry

    copied = AuditEntry.objects.filter(channel_id=channel_id, action="channel.duplicated").first()
    return copied is not None and user.pk in _user_ids((copied.details or {}).get("editors", []))


def can_approve(revision: Revision, user: User) -> bool:
    return approval_refusal(revision, user) is None


def withdraw_refusal(revision: Revision, user: User) -> str | None:
    """Why ``user`` may not withdraw ``revision`` (``None`` if they may), and whom to ask."""
    if not user.has_perm(CHANGE_CHANNEL):
        return _("You may not withdraw channels from review.")
    channel = revision.channel
    if user.pk in involved_user_ids(revision) or user.pk == channel.owner_id:
        return None
    return _(
        "Revision %(number)d was submitted by %(author)s. Only they, someone who edited it, or the "
        "channel's owner (%(owner)s) can withdraw it: ask one of them, or wait for the review."
    ) % {
        "number": revision.number,
        "author": _username(revision.created_by),
        "owner": _username(channel.owner),
    }


def can_withdraw(revision: Revision, user: User) -> bool:
    return withdraw_refusal(revision, user) is None


def _check_current(channel: Channel, revision_id: int, shown_hash: str) -> Revision:
    """The revision in review, provided it is the one (and the hash) the page showed."""
    revision = Revision.objects.select_related("reviewed_by").filter(pk=revision_id, channel=channel).first()
    if revision is None:
        raise StaleRevisionError(_("That revision does not belong to this channel. Reload the review page."))
    if revision.state != Revision.State.IN_REVIEW:
        current = in_review_revision(channel)
        what: Any = {
            Revision.State.APPROVED: _("approved"),
            Revision.State.CHANGES_REQUESTED: _("sent back with changes requested"),
            Revision.State.WITHDRAWN: _("withdrawn"),
            Revision.State.SUPERSEDED: _("superseded"),
            Revision.State.PUBLISHED: _("published"),
        }.get(Revision.State(revision.state), revision.get_state_display())
        message = _("Revision %(number)d was already %(what)s") % {"number": revision.number, "what": what}
        if revision.reviewed_by_id and revision.state in (
            Revision.State.APPROVED,
            Revision.State.CHANGES_REQUESTED,
        ):
            when = timezone.localtime(revision.reviewed_at).strftime("%Y-%m-%d %H:%M")
            message += " " + _("by %(user)s at %(time)s") % {
                "user": _username(revision.reviewed_by),
                "time": when,
            }
        message += "."
        if current is not None:
            message += " " + _("Revision %(number)d is in review now; review that one.") % {
                "number": current.number
            }
        raise StaleRevisionError(message)
    if not states.allowed(Action.APPROVE, channel.status):
        raise StaleRevisionError(
            _("This channel is %(status)s, not in review. Reload the page.")
            % {"status": channel.status_in_sentence}
        )
    if shown_hash != revision.content_hash or content_hash(revision.data) != revision.content_hash:
        raise StaleRevisionError(
            _(
                "Revision %(number)d is not the version you looked at: its content hash moved on. "
                "Reload the review page and review it again."
            )
            % {"number": revision.number}
        )
    return revision


def _notify(send: Task[..., None], *args: Any) -> None:
    """Queue the e-mail task ``send`` once the transaction commits, in the acting person's language."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send.enqueue(*args, language))


# --- transitions ---------------------------------------------------------------------------------------


def submit(channel: Channel, user: User, comment: str = "") -> Revision:
    """Freeze the draft as a new revision in review."""
    from wizard.services.drafts import choices_for, validate_all

    comment = _clean_comment(comment)

    def work() -> Revision:
        if not user.has_perm(CHANGE_CHANNEL):
            raise PermissionDenied(_("You may not submit channels for review."))
        locked = _locked(channel)
        if not states.allowed(Action.SUBMIT, locked.status):
            raise WorkflowError(
                _("Only a draft can be submitted; this channel is %(status)s.")
                % {"status": locked.status_in_sentence}
            )
        choices = choices_for(locked)
        problems = validate_all(locked, choices)
        if problems:
            raise WorkflowError(
                _("Fix the %(count)d problems listed on the review step first.") % {"count": len(problems)}
            )
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        editors = _user_ids(locked.editor_ids) | {user.pk}
        if locked.last_editor_id:
            editors.add(locked.last_editor_id)
        _supersede_unpublished_approval(locked)
        # What the reader gives, not the raw strings: a value the form would refuse never reaches a revision.
        data = read(locked.data, choices).snapshot()
        revision = Revision.objects.create(
            channel=locked,
            number=number,
            data=data,
            content_hash=content_hash(data),
            created_by=user,
            editor_ids=sorted(editors),
            submit_comment=comment,
        )
        locked.status = states.after(Action.SUBMIT, locked.status)
        locked.editor_ids = []
        locked.save(update_fields=["status", "editor_ids", "updated_at"])
        audit.record(user, "revision.submitted", channel=locked, revision=revision, comment=comment)
        _notify(tasks.notify_revision_submitted, revision.pk)
        return revision

    return _guarded(user, "submit", channel, work, privileged=False)


def withdraw(channel: Channel, user: User, comment: str = "") -> Revision:
    """The author takes the revision in review back; the channel is a draft again."""
    comment = _clean_comment(comment)

    def work() -> Revision:
        if not user.has_perm(CHANGE_CHANNEL):
            raise PermissionDenied(_("You may not withdraw channels from review."))
        locked = _locked(channel)
        revision = in_review_revision(locked)
        if not states.allowed(Action.WITHDRAW, locked.status) or revision is None:
            raise WorkflowError(
                _("There is nothing to withdraw: this channel is %(status)s.")
                % {"status": locked.status_in_sentence}
            )
        refusal = withdraw_refusal(revision, user)
        if refusal:
            raise PermissionDenied(refusal)
        revision.state = Revision.State.WITHDRAWN
        revision.save(update_fields=["state"])
        locked.status = states.after(Action.WITHDRAW, locked.status)
        locked.editor_ids = _editors_continuing_from(revision, locked)
        locked.save(update_fields=["status", "editor_ids", "updated_at"])
        audit.record(user, "revision.withdrawn", channel=locked, revision=revision, comment=comment)
        return revision

    return _guarded(user, "withdraw", channel, work, privileged=False)


def approve(
    channel: Channel, user: User, *, revision_id: int, shown_hash: str, comment: str = ""
) -> Revision:
    """Approve exactly the revision (and hash) the reviewer looked at."""
    comment = _clean_comment(comment)
    target = Revision.objects.filter(pk=revision_id, channel_id=channel.pk).first()

    def work() -> Revision:
        if not user.has_perm(REVIEW_CHANNEL):
            raise PermissionDenied(_("You are not a reviewer, so you can't approve channels."))
        locked = _locked(channel)
        revision = _check_current(locked, revision_id, shown_hash)
        refusal = approval_refusal(revision, user)
        if refusal:
            raise PermissionDenied(refusal)
        revision.state = Revision.State.APPROVED
        revision.approved_hash = revision.content_hash
        revision.reviewed_by = user
        revision.reviewed_at = timezone.now()
        revision.review_comment = comment
        revision.save(
            update_fields=["state", "approved_hash", "reviewed_by", "reviewed_at", "review_comment"]
        )
        locked.status = states.after(Action.APPROVE, locked.status)
        locked.save(update_fields=["status", "updated_at"])
        audit.record(user, "revision.approved", channel=locked, revision=revision, comment=comment)
        _notify(tasks.notify_revision_reviewed, revision.pk, True)
        return revision

    return _guarded(user, "approve", channel, work, privileged=True, revision=target)


def request_changes(
    channel: Channel,
    user: User,
    *,
    revision_id: int,
    shown_hash: str,
    comment: str,
    step: str = "",
) -> Revision:
    """Send the revision back to its author with a comment, optionally anchored to a step."""
    comment = _clean_comment(comment)
    step = step if step in FORM_STEP_SLUGS else ""
    target = Revision.objects.filter(pk=revision_id, channel_id=channel.pk).first()

    def work() -> Revision:
        if not user.has_perm(REVIEW_CHANNEL):
            raise PermissionDenied(_("You are not a reviewer, so you can't request changes."))
        if not comment:
            raise CommentRequiredError(_("Say what should change: requesting changes needs a comment."))
        locked = _locked(channel)
        revision = _check_current(locked, revision_id, shown_hash)
        refusal = approval_refusal(revision, user)
        if refusal:
            raise PermissionDenied(refusal)
        revision.state = Revision.State.CHANGES_REQUESTED
        revision.reviewed_by = user
        revision.reviewed_at = timezone.now()
        revision.review_comment = comment
        revision.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
        ReviewComment.objects.create(revision=revision, step=step, author=user, text=comment)
        locked.status = states.after(Action.REQUEST_CHANGES, locked.status)
        locked.editor_ids = _editors_continuing_from(revision, locked)
        fields = ["status", "editor_ids", "updated_at"]
        if step:
            # "Continue editing" then opens the step the comment is about.
            locked.current_step = step
            fields.append("current_step")
        locked.save(update_fields=fields)
        audit.record(
            user,
            "revision.changes_requested",
            channel=locked,
            revision=revision,
            comment=comment,
            details={"step": step} if step else None,
        )
        _notify(tasks.notify_revision_reviewed, revision.pk, False)
        return revision

    return _guarded(user, "request_changes", channel, work, privileged=True, revision=target)


def restore_as_new_draft(channel: Channel, user: User, number: int) -> Channel:
    """Make the draft hold what revision ``number`` froze; it needs a new review before publishing."""
    target = Revision.objects.filter(channel_id=channel.pk, number=number).first()

    def work() -> Channel:
        if not user.has_perm(CHANGE_CHANNEL):
            raise PermissionDenied(_("You may not change channels."))
        locked = _locked(channel)
        if target is None:
            raise WorkflowError(_("This channel has no revision %(number)d.") % {"number": number})
        if not locked.is_editable:
            raise WorkflowError(
                _("This channel is %(status)s; withdraw it from review before restoring an old revision.")
                % {"status": locked.status_in_sentence}
            )
        was_approved = locked.status == ChannelStatus.APPROVED
        data = copy.deepcopy(target.data)
        # The draft's content is replaced by the revision's: its writers are the revision's author and
        # editors (and whoever restores it); those who edited only the replaced draft are not.
        editors = involved_user_ids(target) | {user.pk}
        name = read(data)["details"].text("name")[:100]
        now = timezone.now()
        Channel.objects.filter(pk=locked.pk).update(
            data=data,
            name=name,
            version=F("version") + 1,
            status=states.after(Action.EDIT, locked.status),
            last_editor=user,
            editor_ids=sorted(editors),
            current_step="review",
            visited_steps=list(STEP_SLUGS),
            saved_steps=list(FORM_STEP_SLUGS),
            updated_at=now,
            edited_at=now,
        )
        if was_approved:
            _supersede_unpublished_approval(locked)
            audit.record(
                user,
                "revision.approval_withdrawn",
                channel=locked,
                comment=_("An old revision was restored after approval."),
            )
        audit.record(
            user,
            "revision.restored",
            channel=locked,
            revision=target,
            details={"restored_number": target.number},
        )
        locked.refresh_from_db()
        return locked

    return _guarded(user, "restore", channel, work, privileged=False, revision=target)


# --- publishing checks (called by the publish service) ---------------------------------------------


def publish_refusal(revision: Revision, user: User | None = None) -> str | None:
    """Why ``revision`` may not be published now (``None`` if it may)."""
    channel = revision.channel
    if user is not None and not user.has_perm(PUBLISH_CHANNEL):
        return _("You are not a publisher, so you can't publish channels.")
    if (
        revision.state not in (Revision.State.APPROVED, Revision.State.PUBLISHED)
        or not revision.approved_hash
    ):
        return _("Revision %(number)d was not approved, so it can't be published. Submit it for review.") % {
            "number": revision.number
        }
    actual = content_hash(revision.data)
    if revision.approved_hash != revision.content_hash or actual != revision.approved_hash:
        return _(
            "Revision %(number)d changed after it was approved (its hash does not match the approved one), "
            "so it can't be published. Submit it for review again."
        ) % {"number": revision.number}
    if (
        revision.reviewed_by_id is None or revision.reviewed_by_id in involved_user_ids(revision)
    ) and not _review_skipped(revision):
        return _("Revision %(number)d was not approved by a second person, so it can't be published.") % {
            "number": revision.number
        }
    if revision.state == Revision.State.APPROVED and not states.allowed(Action.WRITE, channel.status):
        return _(
            "The channel was edited after revision %(number)d was approved, so the approval was "
            "withdrawn. Submit it for review again."
        ) % {"number": revision.number}
    if revision.state == Revision.State.PUBLISHED and channel.published_revision_id != revision.pk:
        return _("Revision %(number)d is no longer the published one.") % {"number": revision.number}
    return None


def _review_skipped(revision: Revision) -> bool:
    """A roll back an administrator approved alone, with a written reason (see publishing.services.rollback)."""
    from publishing.services.rollback import review_skipped

    return review_skipped(revision)


def assert_publishable(revision: Revision, user: User | None = None) -> None:
    """Refuse (``NotPublishableError``) a revision whose exact hash was not approved by a second person.

    With ``user`` it also checks the publish permission and records a refusal in the audit log.
    """
    refusal = publish_refusal(revision, user)
    if refusal is None:
        return
    if user is not None:
        audit.record(
            user, "revision.publish_refused", channel=revision.channel, revision=revision, comment=refusal
        )
    if user is not None and not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(refusal)
    raise NotPublishableError(refusal)


def mark_published(revision: Revision, user: User | None, environment: Any = None) -> None:
    """After a successful publish: the revision is the published one, the one before is superseded."""
    with transaction.atomic():
        channel = _locked(revision.channel)
        channel.revisions.filter(state=Revision.State.PUBLISHED).exclude(pk=revision.pk).update(
            state=Revision.State.SUPERSEDED
        )
        Revision.objects.filter(pk=revision.pk).update(state=Revision.State.PUBLISHED)
        revision.state = Revision.State.PUBLISHED
        channel.published_revision = revision
        channel.status = ChannelStatus.PUBLISHED  # whatever it was: the org now holds this revision
        channel.save(update_fields=["published_revision", "status", "updated_at"])
        audit.record(user, "revision.published", channel=channel, revision=revision, environment=environment)


def sent_back_before(revision: Revision) -> Revision | None:
    """The latest earlier revision of the same channel that a reviewer sent back with "Request
    changes", the base of "changes since you sent it back"; None when there is none."""
    return (
        Revision.objects.filter(
            channel_id=revision.channel_id,
            number__lt=revision.number,
            state=Revision.State.CHANGES_REQUESTED,
        )
        .order_by("-number")
        .first()
    )


def history(channel: Channel) -> QuerySet[Revision]:
    """The channel's revisions, newest first, with who submitted and reviewed them."""
    return channel.revisions.select_related("created_by", "reviewed_by").order_by("-number")
