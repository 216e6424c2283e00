"""A save from a stale page merges field by field, and a save that changes nothing makes no one an editor."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import ChannelFactory, author
from wizard.models import Channel, ChannelStatus
from wizard.services import drafts, merge

pytestmark = pytest.mark.django_db


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def _form_post(client, channel, slug):
    """The step page's form as the browser would post it unchanged: its values and hidden inputs."""
    url = reverse("wizard:step", args=[channel.pk, slug])
    html = client.get(url).content.decode()
    values = dict(channel.step_data(slug))
    post = {k: v for k, v in values.items() if not isinstance(v, (bool, list))}
    post.update({k: "on" for k, v in values.items() if v is True})
    post.update({"version": _hidden(html, "version"), "base": _hidden(html, "base"), "nav": "save"})
    return url, post


# --- three-way merge of one step --------------------------------------------------------------------------


def test_three_way_keeps_each_sides_own_changes_and_reports_only_real_conflicts():
    base = {"title": "T", "subtitle": "S", "color": "#000000"}
    mine = {"title": "Mine", "subtitle": "S", "color": "#111111"}
    theirs = {"title": "T", "subtitle": "Theirs", "color": "#222222"}
    result = merge.three_way(base, mine, theirs)
    assert result.conflicts == ("color",)
    assert result.merged["title"] == "Mine" and result.merged["subtitle"] == "Theirs"
    assert result.resolved("mine")["color"] == "#111111"
    assert result.resolved("theirs")["color"] == "#222222"
    assert result.resolved("mine")["subtitle"] == "Theirs"


def test_a_forged_or_foreign_base_is_ignored():
    token = merge.sign_base(1, "appearance", {"title": "T"})
    assert merge.unsign_base(token, 1, "appearance") == {"title": "T"}
    assert merge.unsign_base(token, 2, "appearance") is None
    assert merge.unsign_base(token, 1, "details") is None
    assert merge.unsign_base(token[:-2] + "xx", 1, "appearance") is None
    assert merge.unsign_base("", 1, "appearance") is None
    assert merge.unsign_base("x" * (merge.MAX_TOKEN_CHARS + 1), 1, "appearance") is None


def test_keep_mine_never_reverts_a_field_only_the_other_tab_changed(author_client):
    """Tab 1 changes the subtitle; tab 2 (opened earlier) changes only the title: both changes stay."""
    channel = ChannelFactory(owner=author_client.user)
    url, tab2 = _form_post(author_client, channel, "appearance")
    _url, tab1 = _form_post(author_client, channel, "appearance")
    assert author_client.post(url, {**tab1, "subtitle": "Tab 1 subtitle"}).status_code == 302
    response = author_client.post(url, {**tab2, "title": "Tab 2 title"})
    assert response.status_code == 302  # nothing both changed: merged without a conflict
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Tab 2 title"
    assert channel.data["appearance"]["subtitle"] == "Tab 1 subtitle"


def test_a_real_conflict_lists_only_the_fields_both_changed_and_keep_mine_merges_the_rest(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url, tab2 = _form_post(author_client, channel, "appearance")
    _url, tab1 = _form_post(author_client, channel, "appearance")
    author_client.post(url, {**tab1, "subtitle": "Tab 1 subtitle", "title": "Tab 1 title"})
    response = author_client.post(url, {**tab2, "title": "Tab 2 title"})
    html = response.content.decode()
    assert response.status_code == 409
    table = html[html.index('id="conflict"') : html.index("</table>")]
    assert "Tab 2 title" in table and "Tab 1 title" in table
    assert "Subtitle" not in table  # only tab 1 changed it: not a conflict
    # One person in two tabs: told so, not "both of you".
    assert "You saved this step in another window or tab" in html
    assert "Settings changed in both windows" in table and "This window (not saved)" in table
    assert "both of you" not in html
    assert 'value="Tab 1 subtitle"' in html  # the form shows tab 1's subtitle, merged
    again = {
        **tab2,
        "title": "Tab 2 title",
        "subtitle": "Tab 1 subtitle",
        "version": _hidden(html, "version"),
        "against": _hidden(html, "against"),
        "base": _hidden(html, "base"),
    }
    # plain Save on the conflict page still refuses
    assert author_client.post(url, again).status_code == 409
    assert author_client.post(url, {**again, "resolve": "mine"}).status_code == 302
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Tab 2 title"
    assert channel.data["appearance"]["subtitle"] == "Tab 1 subtitle"


def test_take_theirs_keeps_the_saved_conflicting_values_and_saves_my_other_changes(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url, tab2 = _form_post(author_client, channel, "appearance")
    _url, tab1 = _form_post(author_client, channel, "appearance")
    author_client.post(url, {**tab1, "title": "Tab 1 title"})
    html = author_client.post(
        url, {**tab2, "title": "Tab 2 title", "subtitle": "Tab 2 subtitle"}
    ).content.decode()
    again = {
        **tab2,
        "title": "Tab 2 title",
        "subtitle": "Tab 2 subtitle",
        "version": _hidden(html, "version"),
        "against": _hidden(html, "against"),
        "base": _hidden(html, "base"),
    }
    assert author_client.post(url, {**again, "resolve": "theirs"}).status_code == 302
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Tab 1 title"
    assert channel.data["appearance"]["subtitle"] == "Tab 2 subtitle"


def test_a_save_of_another_step_meanwhile_is_no_conflict(author_client):
    """Someone saved the channel details; my save of the appearance step goes through, and theirs stays."""
    channel = ChannelFactory(owner=author_client.user)
    url, mine = _form_post(author_client, channel, "appearance")
    other = author(username="colleague")
    drafts.save_step(
        channel,
        "details",
        {**channel.data["details"], "name": "Renamed"},
        expected_version=channel.version,
        user=other,
    )
    response = author_client.post(url, {**mine, "title": "My title"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "My title"
    assert channel.data["details"]["name"] == "Renamed"


def test_the_conflict_table_does_not_name_a_person_for_the_saved_values(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url, tab2 = _form_post(author_client, channel, "appearance")
    _url, tab1 = _form_post(author_client, channel, "appearance")
    author_client.post(url, {**tab1, "title": "Tab 1 title"})
    other = author(username="admin2")
    fresh = Channel.objects.get(pk=channel.pk)
    drafts.save_step(
        fresh,
        "details",
        {**fresh.data["details"], "name": "Renamed"},
        expected_version=fresh.version,
        user=other,
    )
    html = author_client.post(url, {**tab2, "title": "Tab 2 title"}).content.decode()
    assert "Saved by admin2" not in html and "Saved version" in html
    assert "the last save was by admin2" in html and "Settings both of you changed" in html
    assert "Yours (not saved)" in html


# --- a save that changes nothing ------------------------------------------------------------------------


def test_a_save_that_changes_nothing_makes_no_one_an_editor_and_cannot_open_delete(client):
    owner, other = author(username="owner"), author(username="other")
    channel = ChannelFactory(
        owner=owner, last_editor=owner, editor_ids=[owner.pk], status=ChannelStatus.DRAFT
    )
    client.force_login(other)
    url, post = _form_post(client, channel, "appearance")
    assert client.post(url, post).status_code == 302
    channel.refresh_from_db()
    assert other.pk not in channel.editor_ids and channel.last_editor_id == owner.pk
    assert drafts.delete_refusal(channel, other) is not None
    client.post(reverse("wizard:delete", args=[channel.pk]))
    assert Channel.objects.filter(pk=channel.pk).exists()
    # a real change makes them an editor (editing others' drafts is normal in a team)
    assert client.post(url, {**post, "version": channel.version, "title": "Changed"}).status_code == 302
    channel.refresh_from_db()
    assert other.pk in channel.editor_ids


def test_a_conflict_page_reached_without_a_base_never_merges_a_plain_save(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = reverse("wizard:step", args=[channel.pk, "details"])
    Channel.objects.filter(pk=channel.pk).update(version=channel.version + 1)
    post = {**channel.data["details"], "name": "Mine", "version": channel.version, "nav": "save"}
    html = author_client.post(url, post).content.decode()
    again = {**post, "version": _hidden(html, "version"), "base": _hidden(html, "base")}
    assert again["base"] == ""
    assert author_client.post(url, again).status_code == 409
    channel.refresh_from_db()
    assert channel.data["details"]["name"] != "Mine"
