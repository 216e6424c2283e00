"""A page offers an action only when the service would allow it, and a refusal says the real reason;
four eyes decides by who wrote the content and says so truly."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests import factories
from wizard.models import Channel, ChannelStatus
from wizard.services import actions, drafts, workflow

pytestmark = pytest.mark.django_db

BOTH = ["Channel authors", "Channel reviewers"]


@pytest.fixture
def admin():
    return factories.UserFactory(username="admin", groups=BOTH)


@pytest.fixture
def writer():
    return factories.UserFactory(username="writer", groups=BOTH)


def _in_review_by(user):
    channel = factories.ChannelFactory(owner=user, editor_ids=[user.pk], last_editor=user)
    revision = workflow.submit(channel, user)
    channel.refresh_from_db()
    return channel, revision


def test_no_delete_or_withdraw_is_offered_on_someone_elses_channel_in_review(client, admin, writer):
    channel, _revision = _in_review_by(admin)
    client.force_login(writer)
    listing = client.get(reverse("wizard:channels")).content.decode()
    assert reverse("wizard:delete", args=[channel.pk]) not in listing
    detail = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert reverse("wizard:withdraw", args=[channel.pk]) not in detail
    assert reverse("wizard:delete", args=[channel.pk]) not in detail
    assert "Continue editing" not in detail and "View steps" in detail
    # the confirmation page is not shown for a delete that would be refused
    response = client.get(reverse("wizard:delete", args=[channel.pk]), follow=True)
    assert "Are you sure" not in response.content.decode()
    assert "Withdraw it from review first" in response.content.decode()
    assert Channel.objects.filter(pk=channel.pk).exists()


def test_a_refused_withdraw_names_who_may_withdraw_without_the_missing_group_text(client, admin, writer):
    channel, _revision = _in_review_by(admin)
    client.force_login(writer)
    response = client.post(reverse("wizard:withdraw", args=[channel.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Revision 1 was submitted by admin" in html and "ask one of them" in html
    assert "Ask a portal administrator for the group" not in html
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.IN_REVIEW


def test_the_owner_is_offered_withdraw_and_after_it_delete(client, admin):
    channel, _revision = _in_review_by(admin)
    client.force_login(admin)
    detail = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert reverse("wizard:withdraw", args=[channel.pk]) in detail
    assert reverse("wizard:delete", args=[channel.pk]) not in detail
    workflow.withdraw(channel, admin)
    channel.refresh_from_db()
    detail = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert reverse("wizard:delete", args=[channel.pk]) in detail and "Continue editing" in detail


@pytest.mark.parametrize("status", [ChannelStatus.DRAFT, ChannelStatus.IN_REVIEW, ChannelStatus.APPROVED])
def test_the_delete_button_follows_the_service(status, admin, writer):
    channel = factories.ChannelFactory(owner=admin, editor_ids=[admin.pk], last_editor=admin, status=status)
    for user in (admin, writer):
        assert actions.can_delete(channel, user) == (drafts.delete_refusal(channel, user) is None)
    assert not actions.can_delete(channel, writer)


def test_the_submitter_is_offered_no_decision_and_may_not_request_changes(admin):
    channel, revision = _in_review_by(admin)
    with pytest.raises(PermissionDenied, match="You submitted revision 1"):
        workflow.request_changes(
            channel, admin, revision_id=revision.pk, shown_hash=revision.content_hash, comment="x"
        )


def test_restoring_content_only_the_author_wrote_lets_a_later_editor_approve(admin, writer):
    reviewer = factories.reviewer(username="rev")
    channel, first = _in_review_by(writer)
    workflow.approve(channel, reviewer, revision_id=first.pk, shown_hash=first.content_hash)
    channel.refresh_from_db()
    # revision 2: the writer's own title
    factories.edit_appearance(channel, writer, title="Writer")
    channel.refresh_from_db()
    workflow.submit(channel, writer)
    channel.refresh_from_db()
    workflow.withdraw(channel, writer)
    channel.refresh_from_db()
    # revision 3: the admin edits it
    factories.edit_appearance(channel, admin, title="Admin")
    channel.refresh_from_db()
    third = workflow.submit(channel, admin)
    channel.refresh_from_db()
    workflow.withdraw(channel, admin)
    channel.refresh_from_db()
    # the writer restores revision 2 and submits it as revision 4
    channel = workflow.restore_as_new_draft(channel, writer, 2)
    fourth = workflow.submit(channel, writer)
    assert third.number == 3 and fourth.number == 4
    assert admin.pk not in workflow.involved_user_ids(fourth)
    assert workflow.approval_refusal(fourth, admin) is None
    # the writer is refused, and told why
    assert "You submitted revision 4" in workflow.approval_refusal(fourth, writer)


def test_restored_content_names_the_revision_it_came_from(admin, writer):
    channel, first = _in_review_by(writer)
    workflow.withdraw(channel, writer)
    channel.refresh_from_db()
    channel = workflow.restore_as_new_draft(channel, admin, 1)
    second = workflow.submit(channel, admin)
    other_reviewer = factories.reviewer(username="rev2")
    assert workflow.approval_refusal(second, other_reviewer) is None
    refusal = workflow.approval_refusal(second, writer)
    assert refusal is not None
    assert "revision 1, restored as revision 2" in refusal and "You edited revision" not in refusal


def test_a_duplicate_says_the_content_was_copied_not_edited(admin, writer):
    source = factories.ChannelFactory(owner=writer, editor_ids=[writer.pk])
    copy = drafts.duplicate(source, admin)
    revision = workflow.submit(copy, admin)
    refusal = workflow.approval_refusal(revision, writer)
    assert refusal is not None and "copied from" in refusal and "You edited revision" not in refusal
