"""The revision live in the channel's environment: the review and channel pages diff against it and
the status says whether the channel is live."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from publishing.services import live
from tests import factories
from wizard.models import ChannelStatus, PublishAttempt
from wizard.services import workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "author": factories.author(username="author"),
        "reviewer": factories.reviewer(username="reviewer"),
        "publisher": factories.publisher(username="publisher"),
    }


def publish(channel, people, environment, *, succeeded=True):
    """Submit, approve and record a publish of the draft to ``environment``, as the publish task does."""
    revision = workflow.submit(channel, people["author"])
    channel.refresh_from_db()
    workflow.approve(channel, people["reviewer"], revision_id=revision.pk, shown_hash=revision.content_hash)
    state = PublishAttempt.State.SUCCEEDED if succeeded else PublishAttempt.State.FAILED
    PublishAttempt.objects.create(
        channel=channel,
        revision=revision,
        environment=environment,
        requested_by=people["publisher"],
        state=state,
        finished_at=timezone.now(),
    )
    if succeeded:
        workflow.mark_published(revision, people["publisher"], environment)
    else:
        channel.refresh_from_db()
        channel.status = ChannelStatus.PUBLISH_FAILED
        channel.save()
    channel.refresh_from_db()
    return revision


@pytest.fixture
def channel(people):
    environment = factories.EnvironmentFactory()
    data = factories.complete_data(details={"environment": str(environment.pk)})
    return factories.ChannelFactory(owner=people["author"], environment=environment, data=data)


def test_after_a_publish_the_review_page_no_longer_says_never_published(client, people, channel):
    publish(channel, people, channel.environment)
    client.force_login(people["reviewer"])
    html = client.get(reverse("wizard:review", args=[channel.pk])).content.decode()
    assert "never published" not in html
    assert "No changes: revision 1 is live" in html
    assert "Published (revision 1 is live)" in html
    assert "Never published" not in html


def test_an_edit_after_the_publish_says_published_edited_since_and_diffs_against_the_live_one(
    client, people, channel
):
    publish(channel, people, channel.environment)
    channel = factories.edit_appearance(channel, people["author"], title="Edited title")
    client.force_login(people["author"])
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "Published, edited since (revision 1 is live)" in page
    revision = workflow.submit(channel, people["author"])
    client.force_login(people["reviewer"])
    html = client.get(reverse("wizard:review", args=[channel.pk])).content.decode()
    assert "Changes since the published revision 1" in html and "Edited title" in html
    assert '<th scope="col">Published (revision 1)</th><th scope="col">This revision</th>' in html
    assert "<ins>Edited title</ins>" in html and "<del>" in html  # the published title is struck through
    assert revision.number == 2


def test_a_failed_publish_says_which_revision_is_still_live(people, channel):
    publish(channel, people, channel.environment)
    channel = factories.edit_appearance(channel, people["author"], title="Edited since")
    publish(channel, people, channel.environment, succeeded=False)
    status = live.live_status(channel)
    assert status.text == "Publish failed — revision 1 is still live"


def test_the_live_revision_is_the_one_in_the_chosen_environment(people, channel):
    other = factories.EnvironmentFactory()
    publish(channel, people, other)
    assert live.live_revision(channel, other).number == 1
    assert live.live_revision(channel) is None  # nothing was published to the channel's own environment
    assert live.live_status(channel).text == "Published"


def test_the_channel_list_says_a_channel_edited_since_its_publish_is_live_and_finds_it(
    client, people, channel
):
    other = factories.ChannelFactory(
        owner=people["author"], environment=channel.environment, name="Never live"
    )
    publish(channel, people, channel.environment)
    channel = factories.edit_appearance(channel, people["author"], title="Edited title")
    client.force_login(people["author"])
    url = reverse("wizard:channels")
    html = client.get(url).content.decode()
    assert "Published, edited since (revision 1 is live)" in html
    live_only = client.get(url, {"status": "live"}).content.decode()
    assert channel.display_name in live_only and other.display_name not in live_only
    assert "Live in its environment (any status)" in live_only
    drafts_only = client.get(url, {"status": "draft"}).content.decode()
    assert channel.display_name in drafts_only and other.display_name in drafts_only
