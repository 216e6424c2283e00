"""Review page, actions, history, compare and restore through the views."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry
from tests import factories
from wizard.models import Channel, ChannelStatus, Revision
from wizard.services import workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return factories.author(username="author")


@pytest.fixture
def reviewer():
    return factories.reviewer(username="reviewer")


@pytest.fixture
def submitted(author):
    channel = factories.ChannelFactory(owner=author, editor_ids=[author.pk])
    revision = workflow.submit(channel, author, "<b>look</b>")
    channel.refresh_from_db()
    return channel, revision


def _post(client, name, channel, revision, **extra):
    data = {"revision": revision.pk, "hash": revision.content_hash, **extra}
    return client.post(reverse(f"wizard:{name}", args=[channel.pk]), data)


def test_review_page_shows_diff_and_decision(client, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    response = client.get(reverse("wizard:review", args=[channel.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Changes (never published before)" in html
    # The comparison names what it compares with: nothing, never "Published".
    assert '<th scope="col">Never published</th><th scope="col">This revision</th>' in html
    # Every setting is new: nothing struck through on the empty side.
    assert "<ins>" in html and "<del>" not in html
    assert ">Published<" not in html
    assert ">Approve</button>" in html and ">Request changes</button>" in html
    assert f'value="{revision.content_hash}"' in html
    assert "Show unchanged fields" in html
    assert "&lt;b&gt;look&lt;/b&gt;" in html and "<b>look</b>" not in html


def test_unchanged_toggle_works_without_javascript(client, reviewer, submitted):
    channel, _ = submitted
    client.force_login(reviewer)
    hidden = client.get(reverse("wizard:review", args=[channel.pk])).content.decode()
    shown = client.get(reverse("wizard:review", args=[channel.pk]) + "?all=1").content.decode()
    assert "Hide unchanged fields" in shown
    assert shown.count("diff-unchanged") > hidden.count("diff-unchanged")


def test_htmx_toggle_returns_only_the_diff(client, reviewer, submitted):
    channel, _ = submitted
    client.force_login(reviewer)
    url = reverse("wizard:review", args=[channel.pk]) + "?all=1"
    response = client.get(url, headers={"HX-Request": "true", "HX-Target": "diff"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="diff"') and "<h1" not in html
    # "Compare with" targets the comparison and picks it (and the previews) out of the whole page.
    whole = client.get(url, headers={"HX-Request": "true", "HX-Target": "review-comparison"}).content.decode()
    assert 'id="review-comparison"' in whole and 'id="review-previews"' in whole


def test_author_sees_no_approve_button_and_forged_post_is_403(client, author, submitted):
    channel, revision = submitted
    author.groups.add(*factories.reviewer(username="r0").groups.all())
    client.force_login(author)
    html = client.get(reverse("wizard:review", args=[channel.pk])).content.decode()
    assert ">Approve</button>" not in html
    assert ">Request changes</button>" not in html  # no decision the submitter may not take
    assert "so someone else has to review it" in html
    response = _post(client, "approve", channel, revision)
    assert response.status_code == 403
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.IN_REVIEW
    assert AuditEntry.objects.filter(action="revision.approve_refused", actor=author).exists()


def test_approve_without_review_permission_is_403(client, author, submitted):
    channel, revision = submitted
    client.force_login(factories.author(username="other"))
    assert _post(client, "approve", channel, revision).status_code == 403
    assert _post(client, "request_changes", channel, revision, comment="x").status_code == 403


def test_forged_withdraw_of_another_users_revision_is_403(client, submitted):
    channel, _ = submitted
    client.force_login(factories.author(username="intruder"))
    response = client.post(reverse("wizard:withdraw", args=[channel.pk]))
    assert response.status_code == 403
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.IN_REVIEW


def test_forged_step_save_on_another_users_draft_by_a_reviewer_is_403(client, reviewer, author):
    channel = factories.ChannelFactory(owner=author)
    client.force_login(reviewer)
    response = client.post(reverse("wizard:step", args=[channel.pk, "details"]), {"version": channel.version})
    assert response.status_code == 403


def test_approve_then_stale_second_reviewer_gets_409(client, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    response = _post(client, "approve", channel, revision, comment="Fine")
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.APPROVED
    client.force_login(factories.reviewer(username="late"))
    response = _post(client, "request_changes", channel, revision, comment="wait")
    assert response.status_code == 409
    assert "already approved by reviewer" in response.content.decode()


def test_stale_hash_is_409(client, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    response = client.post(
        reverse("wizard:approve", args=[channel.pk]), {"revision": revision.pk, "hash": "f" * 64}
    )
    assert response.status_code == 409
    assert "hash moved on" in response.content.decode()
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.IN_REVIEW


def test_request_changes_without_comment_is_refused(client, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    response = _post(client, "request_changes", channel, revision, comment="  ", step="behaviors")
    assert response.status_code == 400
    page = response.content.decode()
    textarea = re.search(r'<textarea [^>]*id="id_review_comment"[^>]*>', page).group(0)
    assert "is-invalid" in textarea and 'aria-invalid="true"' in textarea
    assert 'aria-describedby="id_review_comment_error id_review_comment_help"' in textarea
    assert re.search(r'id="id_review_comment_error">Say what should change: [^<]*needs a comment', page)
    assert '<option value="behaviors" selected>' in page
    revision.refresh_from_db()
    assert revision.state == revision.State.IN_REVIEW


@pytest.mark.parametrize("action", ["request_changes", "approve"])
def test_an_over_long_review_comment_is_refused_whole_never_cut_short(client, reviewer, submitted, action):
    channel, revision = submitted
    client.force_login(reviewer)
    comment = "Please change the title. " * 80 + "<b>end</b>"  # 2,010 characters
    response = _post(client, action, channel, revision, comment=comment, step="appearance")
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(
        r'id="id_review_comment_error">Shorten the comment to at most 2000 characters \(it has 2010\)', page
    )
    textarea = re.search(r'<textarea [^>]*id="id_review_comment"[^>]*>([^<]*)</textarea>', page)
    assert "maxlength" not in textarea.group(0)  # a browser would cut a pasted comment short without a word
    assert textarea.group(1).endswith(
        "&lt;b&gt;end&lt;/b&gt;"
    ) and "Please change the title. " * 80 in textarea.group(1)
    revision.refresh_from_db()
    assert revision.state == revision.State.IN_REVIEW and revision.review_comment == ""


def test_an_over_long_comment_for_the_reviewer_is_refused_and_kept_on_the_review_step(client, author):
    channel = factories.ChannelFactory(owner=author, editor_ids=[author.pk])
    client.force_login(author)
    comment = "x" * 2001
    response = client.post(reverse("wizard:submit", args=[channel.pk]), {"comment": comment})
    # Back at the review step's own address, where its preview's relative addresses hold.
    assert response.status_code == 302 and response["Location"] == reverse(
        "wizard:step", args=[channel.pk, "review"]
    )
    page = client.get(response["Location"]).content.decode()
    assert '<h1 class="h2">Review and finish</h1>' in page
    assert 'class="alert alert-danger">Shorten the comment to at most 2000 characters (it has 2001).' in page
    assert 'id="id_comment_error">Shorten the comment to at most 2000 characters (it has 2001).' in page
    assert (
        'id="id_comment" rows="2" data-max-length="2000" data-count-characters '
        'aria-describedby="id_comment_error id_comment_help" aria-invalid="true" '
        f"autofocus>{comment}</textarea>" in page
    )
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.DRAFT and not channel.revisions.exists()
    # Shown once: the next visit is a plain review step.
    assert "id_comment_error" not in client.get(response["Location"]).content.decode()
    # A comment within the limit goes through as before.
    response = client.post(reverse("wizard:submit", args=[channel.pk]), {"comment": "x" * 2000})
    assert response.status_code == 302
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.IN_REVIEW


def test_comment_html_is_escaped_everywhere(client, author, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _post(client, "request_changes", channel, revision, comment=evil, step="appearance")
    client.force_login(author)
    pages = [
        reverse("wizard:channel", args=[channel.pk]),
        reverse("wizard:step", args=[channel.pk, "appearance"]),
        reverse("wizard:review", args=[channel.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert" in html, url


def test_author_sees_the_comment_on_its_step_only(client, author, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    _post(client, "request_changes", channel, revision, comment="Shorter title please", step="appearance")
    client.force_login(author)
    assert (
        "Shorter title please"
        in client.get(reverse("wizard:step", args=[channel.pk, "appearance"])).content.decode()
    )
    assert (
        "Shorter title please"
        not in client.get(reverse("wizard:step", args=[channel.pk, "details"])).content.decode()
    )


def test_withdraw_by_author(client, author, submitted):
    channel, revision = submitted
    client.force_login(author)
    response = client.post(reverse("wizard:withdraw", args=[channel.pk]))
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.state == Revision.State.WITHDRAWN


def test_history_compare_and_restore(client, author, reviewer, submitted):
    channel, first = submitted
    client.force_login(reviewer)
    _post(client, "request_changes", channel, first, comment="Change the title")
    channel.refresh_from_db()
    channel.data["appearance"]["title"] = "Second title"
    channel.save()
    second = workflow.submit(channel, author)
    client.force_login(author)
    html = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "Revision history" in html and "Restore as new draft" not in html  # in review: not editable
    compare = client.get(
        reverse("wizard:compare", args=[channel.pk]) + f"?a={first.number}&b={second.number}"
    )
    text = compare.content.decode()
    assert compare.status_code == 200
    assert "Chat with Contoso" in text and "Second title" in text
    client.post(reverse("wizard:withdraw", args=[channel.pk]))
    html = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "Restore as new draft" in html
    response = client.post(reverse("wizard:restore", args=[channel.pk, first.number]))
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Chat with Contoso"
    assert channel.status == ChannelStatus.DRAFT


def test_restore_needs_change_permission(client, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    assert client.post(reverse("wizard:restore", args=[channel.pk, 1])).status_code == 403


def test_compare_with_nothing_submitted(client, author):
    channel = factories.ChannelFactory(owner=author)
    client.force_login(author)
    response = client.get(reverse("wizard:compare", args=[channel.pk]) + "?a=x&b=9")
    assert response.status_code == 200
    assert "Nothing submitted yet" in response.content.decode()


def test_review_page_without_revision_redirects(client, reviewer, author):
    channel = factories.ChannelFactory(owner=author)
    client.force_login(reviewer)
    assert client.get(reverse("wizard:review", args=[channel.pk])).status_code == 302


def test_opening_an_actions_address_changes_nothing_and_leads_to_its_page(
    client, author, reviewer, submitted
):
    # A refused Request changes is shown at the action's address; a reload or the language switch opens it.
    channel, revision = submitted
    review = reverse("wizard:review", args=[channel.pk])
    for user, action, page in (
        (reviewer, "approve", review),
        (reviewer, "request_changes", review),
        (author, "withdraw", channel.get_absolute_url()),
    ):
        client.force_login(user)
        response = client.get(reverse(f"wizard:{action}", args=[channel.pk]))
        assert (response.status_code, response["Location"]) == (302, page)
    revision.refresh_from_db()
    assert revision.state == Revision.State.IN_REVIEW
    # The language switch after a refusal comes back to the review page, in the chosen language.
    client.force_login(reviewer)
    _post(client, "request_changes", channel, revision, comment="")
    back = client.post(
        "/i18n/setlang/", {"language": "ko", "next": reverse("wizard:request_changes", args=[channel.pk])}
    )
    assert client.get(back["Location"], follow=True).redirect_chain[-1] == (review, 302)


def test_csrf_is_enforced(reviewer, submitted):
    from django.test import Client

    channel, revision = submitted
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert _post(client, "approve", channel, revision).status_code == 403


def test_home_review_queue_excludes_own_and_edited(client, author, reviewer, submitted):
    channel, _ = submitted
    both = factories.UserFactory(username="both", groups=["Channel authors", "Channel reviewers"])
    other = factories.ChannelFactory(owner=both, editor_ids=[both.pk])
    workflow.submit(other, both)
    client.force_login(reviewer)
    html = client.get("/").content.decode()
    assert channel.display_name in html
    client.force_login(both)
    response = client.get("/")
    assert response.context["awaiting_count"] == 1
    assert [c.pk for c in response.context["awaiting"]] == [channel.pk]


def test_resubmitted_revision_offers_changes_since_it_was_sent_back(client, author, reviewer, submitted):
    channel, first = submitted
    client.force_login(reviewer)
    _post(client, "request_changes", channel, first, comment="Change the title")
    channel.refresh_from_db()
    channel.data["appearance"]["title"] = "Second title"
    channel.save()
    workflow.submit(channel, author)
    url = reverse("wizard:review", args=[channel.pk])
    # What changed since the review comes first; the whole channel against what is live is one click away.
    since = client.get(url).content.decode()
    assert f"Changes since revision {first.number} was sent back" in since
    assert "1 field changed" in since and "Second title" in since
    # What was asked then is beside it, to check it was done.
    asked = since[since.index(f"Asked when revision {first.number} was sent back") :]
    assert "Change the title" in asked[: asked.index("</section>")]
    assert 'href="?against=published"' in since
    # The decision box comes before the diff in the page, so it is in reach without scrolling.
    assert "review-aside" in since
    whole = client.get(url + "?against=published").content.decode()
    assert "Changes (never published before)" in whole
    toggled = client.get(url + "?against=published&all=1").content.decode()
    assert "against=published" in toggled[toggled.index("Hide unchanged fields") - 300 :]
    toggled = client.get(url + "?all=1").content.decode()
    assert "against=" not in toggled[toggled.index("Hide unchanged fields") - 300 :]


def test_nothing_sent_back_compares_with_what_is_live_and_offers_no_choice(client, reviewer, submitted):
    channel, _ = submitted
    client.force_login(reviewer)
    for query in ("", "?against=published", "?against=returned"):
        html = client.get(reverse("wizard:review", args=[channel.pk]) + query).content.decode()
        assert "Changes (never published before)" in html and "Compare with:" not in html


def test_once_a_later_revision_went_live_the_live_one_is_compared_first(client, author, reviewer, submitted):
    channel, first = submitted
    client.force_login(reviewer)
    _post(client, "request_changes", channel, first, comment="Change the title")
    # Revision 2 went live; revision 3, in review, changes only the title again.
    channel.refresh_from_db()
    channel.environment = factories.EnvironmentFactory()
    live = {**channel.data, "appearance": {**channel.data["appearance"], "title": "Live title"}}
    third = {**channel.data, "appearance": {**channel.data["appearance"], "title": "Third title"}}
    second = Revision.objects.create(
        channel=channel, number=2, data=live, content_hash="b", created_by=author, state="published"
    )
    Revision.objects.create(channel=channel, number=3, data=third, content_hash="c", created_by=author)
    factories.live_in_its_environment(second, author)
    channel.published_revision = second
    channel.status = ChannelStatus.IN_REVIEW
    channel.save()
    url = reverse("wizard:review", args=[channel.pk])
    html = client.get(url).content.decode()
    assert "Changes since the published revision 2" in html
    assert "1 field changed" in html and "Third title" in html and "Live title" in html
    assert 'href="?against=returned"' in html
    since = client.get(url + "?against=returned").content.decode()
    assert f"Changes since revision {first.number} was sent back" in since
    assert 'href="?"' in since


def test_a_review_is_not_shown_as_the_authors_edit(client, author, reviewer, submitted):
    channel, revision = submitted
    earlier = timezone.now() - timezone.timedelta(hours=3)
    Channel.objects.filter(pk=channel.pk).update(edited_at=earlier, updated_at=earlier)
    client.force_login(reviewer)
    _post(client, "request_changes", channel, revision, comment="Change the title")
    channel.refresh_from_db()
    assert channel.updated_at > earlier and channel.edited_at == earlier
    client.force_login(author)
    shown = timezone.localtime(earlier).strftime("%Y-%m-%d %H:%M")
    step = client.get(reverse("wizard:step", args=[channel.pk, "details"])).content.decode()
    assert f"Saved {shown} by author" in step
    page = client.get(channel.get_absolute_url()).content.decode()
    assert re.search(rf"Last edited</dt><dd[^>]*>{shown} by author", page)
    # An edit moves it, with the editor's name.
    client.post(
        reverse("wizard:step", args=[channel.pk, "details"]),
        {"name": "Renamed", "language": "1033", "version": channel.version, "nav": "save"},
    )
    channel.refresh_from_db()
    assert channel.edited_at > earlier and channel.last_editor == author


def test_changes_requested_about_a_step_continue_on_that_step(client, author, reviewer, submitted):
    channel, revision = submitted
    client.force_login(reviewer)
    _post(client, "request_changes", channel, revision, comment="Fewer questions", step="behaviors")
    client.force_login(author)
    response = client.get(reverse("wizard:resume", args=[channel.pk]))
    assert response["Location"] == reverse("wizard:step", args=[channel.pk, "behaviors"])
