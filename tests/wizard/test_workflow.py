"""Review workflow transitions, four eyes, the content hash and publish checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from portal.models import AuditEntry
from tests import factories
from wizard.models import Channel, ChannelStatus, Revision
from wizard.services import drafts, workflow
from wizard.values import read

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "author": factories.author(username="author"),
        "coauthor": factories.author(username="coauthor"),
        "reviewer": factories.reviewer(username="reviewer"),
        "reviewer2": factories.reviewer(username="reviewer2"),
        "publisher": factories.publisher(username="publisher"),
        # In both groups: may review others' work, but not their own.
        "author_reviewer": factories.UserFactory(
            username="author_reviewer", groups=["Channel authors", "Channel reviewers"]
        ),
        "nobody": factories.UserFactory(username="nobody"),
    }


def make_channel(owner) -> Channel:
    return factories.ChannelFactory(owner=owner, editor_ids=[owner.pk])


def in_review(owner) -> tuple[Channel, Revision]:
    channel = make_channel(owner)
    revision = workflow.submit(channel, owner, "please look")
    channel.refresh_from_db()
    return channel, revision


# --- the hash ----------------------------------------------------------------------------------------


def test_same_data_same_hash_whatever_the_key_order():
    a = {"details": {"name": "X", "language": "1033"}, "appearance": {"title": "T"}}
    b = {"appearance": {"title": "T"}, "details": {"language": "1033", "name": "X"}}
    assert workflow.content_hash(a) == workflow.content_hash(b)
    assert len(workflow.content_hash(a)) == 64


def test_different_data_different_hash():
    assert workflow.content_hash({"a": 1}) != workflow.content_hash({"a": 2})
    assert workflow.content_hash({"rows": [1, 2]}) != workflow.content_hash({"rows": [2, 1]})


# --- submit ------------------------------------------------------------------------------------------


def test_submit_freezes_a_revision_and_resets_editors(people):
    channel = make_channel(people["author"])
    revision = workflow.submit(channel, people["author"], "first")
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.IN_REVIEW
    assert channel.editor_ids == []
    assert revision.number == 1
    assert revision.data == read(channel.data).snapshot()  # the cleaned values, JSON-ready
    assert revision.content_hash == workflow.content_hash(revision.data)
    assert people["author"].pk in revision.editor_ids
    assert AuditEntry.objects.filter(action="revision.submitted", revision=revision).exists()


def test_revision_is_frozen_against_later_edits(people):
    channel, revision = in_review(people["author"])
    workflow.withdraw(channel, people["author"])
    channel.refresh_from_db()
    factories.edit_appearance(channel, people["author"], title="New")
    revision.refresh_from_db()
    assert revision.data["appearance"]["title"] == "Chat with Contoso"
    assert workflow.content_hash(revision.data) == revision.content_hash


# --- the permission table ------------------------------------------------------------------------


def _run(action: str, channel: Channel, revision: Revision | None, user):
    rid = revision.pk if revision else 0
    rhash = revision.content_hash if revision else ""
    if action == "submit":
        return workflow.submit(channel, user)
    if action == "withdraw":
        return workflow.withdraw(channel, user)
    if action == "approve":
        return workflow.approve(channel, user, revision_id=rid, shown_hash=rhash)
    if action == "request_changes":
        return workflow.request_changes(channel, user, revision_id=rid, shown_hash=rhash, comment="Fix it")
    if action == "restore":
        return workflow.restore_as_new_draft(channel, user, 1)
    raise AssertionError(action)


def _setup(state: str, people) -> tuple[Channel, Revision | None]:
    owner = people["author"]
    channel = make_channel(owner)
    if state == "draft":
        return channel, None
    revision = workflow.submit(channel, owner)
    channel.refresh_from_db()
    if state == "in_review":
        return channel, revision
    if state == "approved":
        workflow.approve(
            channel, people["reviewer"], revision_id=revision.pk, shown_hash=revision.content_hash
        )
    elif state == "changes_requested":
        workflow.request_changes(
            channel,
            people["reviewer"],
            revision_id=revision.pk,
            shown_hash=revision.content_hash,
            comment="No",
        )
    channel.refresh_from_db()
    revision.refresh_from_db()
    return channel, revision


ALLOWED = "ok"
DENIED = "denied"  # PermissionDenied (403)
REFUSED = "refused"  # WorkflowError (wrong state)

TABLE = [
    # user, action, state, expected
    ("author", "submit", "draft", ALLOWED),
    ("reviewer", "submit", "draft", DENIED),
    ("nobody", "submit", "draft", DENIED),
    ("author", "submit", "in_review", REFUSED),
    ("author", "submit", "changes_requested", ALLOWED),
    ("author", "submit", "approved", REFUSED),
    ("author", "withdraw", "in_review", ALLOWED),
    ("coauthor", "withdraw", "in_review", DENIED),
    ("reviewer", "withdraw", "in_review", DENIED),
    ("author", "withdraw", "draft", REFUSED),
    ("author", "withdraw", "approved", REFUSED),
    ("reviewer", "approve", "in_review", ALLOWED),
    ("author", "approve", "in_review", DENIED),
    ("author_reviewer", "approve", "in_review", ALLOWED),
    ("publisher", "approve", "in_review", DENIED),
    ("nobody", "approve", "in_review", DENIED),
    ("reviewer", "approve", "approved", REFUSED),
    ("reviewer", "approve", "changes_requested", REFUSED),
    ("reviewer", "request_changes", "in_review", ALLOWED),
    ("author", "request_changes", "in_review", DENIED),
    ("publisher", "request_changes", "in_review", DENIED),
    ("reviewer", "request_changes", "approved", REFUSED),
    ("author", "restore", "approved", ALLOWED),
    ("author", "restore", "changes_requested", ALLOWED),
    ("author", "restore", "in_review", REFUSED),
    ("reviewer", "restore", "approved", DENIED),
]


@pytest.mark.parametrize(("who", "action", "state", "expected"), TABLE)
def test_transition_table(people, who, action, state, expected):
    channel, revision = _setup(state, people)
    user = people[who]
    if expected == ALLOWED:
        _run(action, channel, revision, user)
        return
    error = PermissionDenied if expected == DENIED else workflow.WorkflowError
    before = Channel.objects.get(pk=channel.pk).status
    with pytest.raises(error):
        _run(action, channel, revision, user)
    assert Channel.objects.get(pk=channel.pk).status == before
    if expected == DENIED or action in ("approve", "request_changes"):
        assert AuditEntry.objects.filter(action=f"revision.{action}_refused", actor=user).exists()


@pytest.mark.parametrize(
    ("action", "state_after"),
    [
        ("withdraw", ChannelStatus.DRAFT),
        ("approve", ChannelStatus.APPROVED),
        ("request_changes", ChannelStatus.CHANGES_REQUESTED),
    ],
)
def test_transitions_set_states_and_audit(people, action, state_after):
    channel, revision = in_review(people["author"])
    user = people["author"] if action == "withdraw" else people["reviewer"]
    _run(action, channel, revision, user)
    channel.refresh_from_db()
    revision.refresh_from_db()
    assert channel.status == state_after
    expected_action = {
        "withdraw": "revision.withdrawn",
        "approve": "revision.approved",
        "request_changes": "revision.changes_requested",
    }[action]
    entry = AuditEntry.objects.get(action=expected_action)
    assert entry.actor == user and entry.revision == revision and entry.content_hash == revision.content_hash


# --- four eyes -------------------------------------------------------------------------------------


def test_last_editor_cannot_approve_even_as_reviewer(people):
    channel = make_channel(people["author"])
    editor = people["author_reviewer"]
    factories.edit_appearance(channel, editor, title="Edited")
    channel.refresh_from_db()
    revision = workflow.submit(channel, people["author"])
    with pytest.raises(
        PermissionDenied, match="You edited this channel's draft before it was submitted as revision 1"
    ):
        workflow.approve(channel, editor, revision_id=revision.pk, shown_hash=revision.content_hash)
    assert not workflow.can_approve(revision, editor)
    assert workflow.can_approve(revision, people["reviewer"])


def test_editors_stay_barred_after_withdraw_and_resubmit(people):
    channel = make_channel(people["author"])
    editor = people["author_reviewer"]
    factories.edit_appearance(channel, editor, title="Edited")
    workflow.submit(channel, people["author"])
    workflow.withdraw(channel, people["author"])
    second = workflow.submit(channel, people["author"])
    assert editor.pk in second.editor_ids
    with pytest.raises(PermissionDenied):
        workflow.approve(channel, editor, revision_id=second.pk, shown_hash=second.content_hash)


# --- races and stale pages -------------------------------------------------------------------------


def test_second_reviewer_is_told_who_won(people):
    channel, revision = in_review(people["author"])
    workflow.approve(channel, people["reviewer"], revision_id=revision.pk, shown_hash=revision.content_hash)
    with pytest.raises(workflow.StaleRevisionError, match="already approved by reviewer"):
        workflow.request_changes(
            channel,
            people["reviewer2"],
            revision_id=revision.pk,
            shown_hash=revision.content_hash,
            comment="too late",
        )
    assert AuditEntry.objects.filter(action="revision.request_changes_refused").exists()


def test_approving_an_old_revision_names_the_current_one(people):
    channel, first = in_review(people["author"])
    workflow.withdraw(channel, people["author"])
    second = workflow.submit(channel, people["author"])
    with pytest.raises(workflow.StaleRevisionError, match="Revision 2 is in review now"):
        workflow.approve(channel, people["reviewer"], revision_id=first.pk, shown_hash=first.content_hash)
    assert second.state == Revision.State.IN_REVIEW


def test_approving_a_moved_hash_is_refused(people):
    channel, revision = in_review(people["author"])
    with pytest.raises(workflow.StaleRevisionError, match="hash moved on"):
        workflow.approve(channel, people["reviewer"], revision_id=revision.pk, shown_hash="0" * 64)
    # the snapshot itself tampered with in the database
    Revision.objects.filter(pk=revision.pk).update(data={"details": {"name": "Evil"}})
    with pytest.raises(workflow.StaleRevisionError):
        workflow.approve(
            channel, people["reviewer"], revision_id=revision.pk, shown_hash=revision.content_hash
        )
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.IN_REVIEW


def test_request_changes_needs_a_comment(people):
    channel, revision = in_review(people["author"])
    with pytest.raises(workflow.WorkflowError, match="needs a comment"):
        workflow.request_changes(
            channel,
            people["reviewer"],
            revision_id=revision.pk,
            shown_hash=revision.content_hash,
            comment="   ",
        )


def test_request_changes_anchors_the_comment_to_a_step(people):
    channel, revision = in_review(people["author"])
    workflow.request_changes(
        channel,
        people["reviewer"],
        revision_id=revision.pk,
        shown_hash=revision.content_hash,
        comment="Title is wrong",
        step="appearance",
    )
    comment = revision.comments.get()
    assert (comment.step, comment.text, comment.author) == (
        "appearance",
        "Title is wrong",
        people["reviewer"],
    )


# --- edits after approval and publishing ----------------------------------------------------------


def _approved(people) -> tuple[Channel, Revision]:
    channel, revision = in_review(people["author"])
    workflow.approve(channel, people["reviewer"], revision_id=revision.pk, shown_hash=revision.content_hash)
    channel.refresh_from_db()
    revision.refresh_from_db()
    return channel, revision


def test_approved_revision_is_publishable(people):
    channel, revision = _approved(people)
    assert revision.approved_hash == revision.content_hash
    workflow.assert_publishable(revision, people["publisher"])


def test_edit_after_approval_withdraws_it_and_blocks_publishing(people):
    channel, revision = _approved(people)
    result = drafts.save_step(
        channel,
        "appearance",
        {**channel.data["appearance"], "title": "Sneaky"},
        expected_version=channel.version,
        user=people["author"],
    )
    assert result.channel.status == ChannelStatus.DRAFT
    assert any("approval was withdrawn" in notice for notice in result.notices)
    revision.refresh_from_db()
    with pytest.raises(workflow.NotPublishableError, match="approval was withdrawn"):
        workflow.assert_publishable(revision, people["publisher"])
    assert AuditEntry.objects.filter(action="revision.publish_refused").exists()


def test_unapproved_revision_is_not_publishable(people):
    channel, revision = in_review(people["author"])
    with pytest.raises(workflow.NotPublishableError, match="not approved"):
        workflow.assert_publishable(revision)


def test_revision_data_changed_after_approval_is_not_publishable(people):
    channel, revision = _approved(people)
    Revision.objects.filter(pk=revision.pk).update(data={**revision.data, "details": {"name": "Other"}})
    revision.refresh_from_db()
    with pytest.raises(workflow.NotPublishableError, match="hash does not match"):
        workflow.assert_publishable(revision)


def test_non_publisher_cannot_publish(people):
    channel, revision = _approved(people)
    with pytest.raises(PermissionDenied):
        workflow.assert_publishable(revision, people["reviewer"])


def test_mark_published_supersedes_the_previous_one(people):
    channel, first = _approved(people)
    workflow.mark_published(first, people["publisher"])
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISHED and channel.published_revision == first
    factories.edit_appearance(channel, people["author"], title="v2")
    second = workflow.submit(channel, people["author"])
    workflow.approve(channel, people["reviewer"], revision_id=second.pk, shown_hash=second.content_hash)
    second.refresh_from_db()
    workflow.mark_published(second, people["publisher"])
    first.refresh_from_db()
    assert first.state == Revision.State.SUPERSEDED


def test_restore_as_new_draft_copies_the_old_data(people):
    channel, first = _approved(people)
    workflow.mark_published(first, people["publisher"])
    channel.refresh_from_db()
    factories.edit_appearance(channel, people["author"], title="v2")
    workflow.submit(channel, people["author"])
    workflow.withdraw(channel, people["author"])
    restored = workflow.restore_as_new_draft(channel, people["coauthor"], 1)
    assert restored.data == first.data
    assert restored.status == ChannelStatus.DRAFT
    assert people["coauthor"].pk in restored.editor_ids
    assert AuditEntry.objects.filter(action="revision.restored", revision=first).exists()


def test_restore_unknown_revision(people):
    channel = make_channel(people["author"])
    with pytest.raises(workflow.WorkflowError, match="no revision 7"):
        workflow.restore_as_new_draft(channel, people["author"], 7)


# --- notifications ---------------------------------------------------------------------------------


def test_submit_mails_reviewers_but_not_the_submitter(people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        in_review(people["author_reviewer"])
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert recipients == ["reviewer2@contoso.example", "reviewer@contoso.example"]
    assert "Review requested" in mailoutbox[0].subject
    assert "/review/" in mailoutbox[0].body


def test_approve_and_request_changes_mail_the_author(people, mailoutbox, django_capture_on_commit_callbacks):
    channel, revision = in_review(people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(
            channel,
            people["reviewer"],
            revision_id=revision.pk,
            shown_hash=revision.content_hash,
            comment="Shorter title",
        )
    assert [m.to for m in mailoutbox] == [["author@contoso.example"]]
    assert "Changes requested" in mailoutbox[0].subject and "Shorter title" in mailoutbox[0].body
    second = workflow.submit(channel, people["author"])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(channel, people["reviewer"], revision_id=second.pk, shown_hash=second.content_hash)
    assert [m.to for m in mailoutbox] == [["author@contoso.example"]]
    assert mailoutbox[0].subject.startswith("Approved")


def test_no_mail_when_the_transition_is_refused(people, mailoutbox, django_capture_on_commit_callbacks):
    channel, revision = in_review(people["author"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        workflow.approve(channel, people["author"], revision_id=revision.pk, shown_hash=revision.content_hash)
    assert mailoutbox == []


# The worker manages its own database connections, as in production: not inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_in_production_the_mails_wait_for_the_worker_not_the_request(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from django.core.management import call_command
    from django.utils import translation

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # A mail server that would hang the request: nothing may call it until the worker runs.
    settings.EMAIL_BACKEND = "tests.wizard.test_workflow.RefusingMailBackend"
    with translation.override("ko"), django_capture_on_commit_callbacks(execute=True):
        channel, revision = in_review(people["author_reviewer"])
        workflow.approve(
            channel, people["reviewer"], revision_id=revision.pk, shown_hash=revision.content_hash
        )
    # Published before the worker ran: the author is still told it was approved.
    Revision.objects.filter(pk=revision.pk).update(state=Revision.State.PUBLISHED)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    subjects = sorted(mail.subject for mail in mailoutbox)
    assert len(subjects) == 3  # two reviewers, then the author
    assert all(subject.isascii() is False for subject in subjects)  # in the submitter's language
    with translation.override("ko"):
        approved = translation.gettext("Approved: %(name)s (revision %(number)d)") % {
            "name": channel.display_name,
            "number": revision.number,
        }
    assert approved in subjects


class RefusingMailBackend:
    def __init__(self, *args, **kwargs):
        raise AssertionError("the request must not open a mail connection")
