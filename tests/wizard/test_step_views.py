"""Wizard pages: permissions, saving through POST, conflicts, bad input, navigation."""

import copy
import re
import uuid
from urllib.parse import urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ChannelFactory, author, publisher, reviewer
from wizard.models import Channel, ChannelStatus, Revision
from wizard.options import DISTRIBUTION_PICK, DISTRIBUTION_PUSH
from wizard.steps import STEP_SLUGS

pytestmark = pytest.mark.django_db


def step_url(channel, slug):
    return reverse("wizard:step", args=[channel.pk, slug])


def post_details(client, channel, version=None, **values):
    data = {
        "version": channel.version if version is None else version,
        "name": "Contoso chat",
        "language": "1033",
        "nav": "next",
    }
    data.update(values)
    return client.post(step_url(channel, "details"), data)


def test_signed_out_users_are_sent_to_sign_in(client):
    channel = ChannelFactory()
    response = client.get(step_url(channel, "details"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_save_after_the_session_ended_is_filled_in_again_after_sign_in(client, htmx):
    owner = author(username="owner")
    channel = ChannelFactory(owner=owner)
    client.force_login(owner)
    base = re.search(
        r'name="base" value="([^"]+)"', client.get(step_url(channel, "details")).content.decode()
    )
    client.post(reverse("logout"))  # as a sign-out in another tab would
    headers = {"HX-Request": "true", "HX-Target": "step-page"} if htmx else {}
    typed = {"version": channel.version, "name": "Typed <i>before</i> sign-out", "language": "1033"}
    typed.update(base=base.group(1), nav="next")
    response = client.post(step_url(channel, "details"), typed, headers=headers)
    login = reverse("login") + "?next=" + step_url(channel, "details")
    if htmx:  # a whole-page visit, so that the sign-in page shows the message
        assert response.status_code == 200 and response["HX-Redirect"] == login
    else:
        assert response.status_code == 302 and response["Location"] == login
    page = client.get(login).content.decode()
    assert "You were signed out before your changes to this step were saved. Sign in again as owner" in page
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"  # nothing was saved

    client.force_login(owner)
    page = client.get(step_url(channel, "details")).content.decode()
    assert 'value="Typed &lt;i&gt;before&lt;/i&gt; sign-out"' in page
    assert "They are not saved yet: check them, then save." in page
    assert f'name="version" value="{channel.version}"' in page and base.group(1) in page
    # Shown once; the draft still holds the saved name.
    assert "Typed" not in client.get(step_url(channel, "details")).content.decode()
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"
    # Nor is a body far bigger than any step's form kept in a signed-out session.
    client.post(reverse("logout"))
    client.post(step_url(channel, "details"), {**typed, "name": "x" * 70_000})
    assert "wizard_signed_out_save" not in client.session


@pytest.mark.parametrize("next_user", ["author", "reviewer"])
def test_a_save_kept_after_sign_out_is_for_its_writer_alone(client, next_user):
    owner = author(username="owner")
    channel = ChannelFactory(owner=owner)
    client.force_login(owner)
    client.post(reverse("logout"))
    typed = {"version": channel.version, "name": "Owner's unsaved words", "language": "1033", "nav": "save"}
    client.post(step_url(channel, "details"), typed)
    assert "wizard_signed_out_save" in client.session
    # Someone else signs in next in that browser, whether or not they may edit the channel: what the
    # owner typed is dropped at sign-in, never shown to them nor saved under their name.
    other = author(username="colleague") if next_user == "author" else reviewer(username="colleague")
    client.force_login(other)
    assert "wizard_signed_out_save" not in client.session
    assert "unsaved words" not in client.get(step_url(channel, "details")).content.decode()
    client.post(reverse("logout"))
    client.force_login(owner)
    assert "unsaved words" not in client.get(step_url(channel, "details")).content.decode()


def test_a_form_posted_without_a_known_sign_out_is_not_kept(client):
    channel = ChannelFactory()
    typed = {"version": channel.version, "name": "From nowhere", "language": "1033", "nav": "save"}
    response = client.post(step_url(channel, "details"), typed)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "wizard_signed_out_save" not in client.session
    assert "You were signed out before" not in client.get(response["Location"]).content.decode()


def test_the_step_list_says_why_steps_are_greyed_out_while_some_are(author_client):
    channel = ChannelFactory(owner=author_client.user, visited_steps=["details"])
    page = author_client.get(step_url(channel, "details")).content.decode()
    assert 'aria-disabled="true">4. Behaviors' in page
    assert "Greyed-out steps open once you get to them with Next." in page
    Channel.objects.filter(pk=channel.pk).update(visited_steps=list(STEP_SLUGS))
    page = author_client.get(step_url(channel, "details")).content.decode()
    assert 'aria-disabled="true"' not in page and "Greyed-out steps" not in page


@pytest.mark.parametrize("slug", STEP_SLUGS)
def test_every_step_renders_with_one_h1_titled_by_the_step(author_client, slug):
    channel = ChannelFactory(owner=author_client.user)
    response = author_client.get(step_url(channel, slug))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'aria-label="Widget preview"' in html


def test_unknown_step_is_404(author_client):
    channel = ChannelFactory(owner=author_client.user)
    assert author_client.get(f"/channels/{channel.pk}/steps/nope/").status_code == 404


def test_new_channel_post_redirects_to_first_step_and_double_submit_makes_one(author_client):
    token = str(uuid.uuid4())
    first = author_client.post(reverse("wizard:new"), {"token": token})
    second = author_client.post(reverse("wizard:new"), {"token": token})
    assert first["Location"] == second["Location"]
    assert first["Location"].endswith("/steps/details/")
    assert Channel.objects.count() == 1


def test_next_saves_and_moves_on(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = post_details(author_client, channel, name="Renamed")
    assert response.status_code == 302 and response["Location"].endswith("/steps/workstream/")
    channel.refresh_from_db()
    assert channel.name == "Renamed" and channel.current_step == "workstream"


def test_invalid_values_are_kept_and_next_stays_on_the_step(author_client):
    channel = ChannelFactory(owner=author_client.user)
    long_name = "<b>bold</b>" + "y" * 120
    response = post_details(author_client, channel, name=long_name)
    assert response["Location"].endswith("/steps/details/")
    page = author_client.get(step_url(channel, "details")).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    assert "at most 100 characters" in page
    channel.refresh_from_db()
    assert channel.data["details"]["name"] == long_name


def test_save_draft_says_when_what_it_saved_still_has_problems(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = post_details(author_client, channel, name="x" * 150, nav="save")
    assert response["Location"].endswith("/steps/details/")
    page = author_client.get(step_url(channel, "details")).content.decode()
    assert "Draft saved. This step still has 1 problem, marked below" in page
    assert 'class="alert alert-warning"' in page and "at most 100 characters" in page
    channel.refresh_from_db()
    assert channel.data["details"]["name"] == "x" * 150  # kept as typed
    post_details(author_client, channel, name="Contoso chat", nav="save")
    page = author_client.get(step_url(channel, "details")).content.decode()
    assert '<div class="alert alert-success">Draft saved.</div>' in page and "still has" not in page


def test_back_saves_invalid_data_and_moves(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "appearance")
    response = author_client.post(
        url, {"version": channel.version, "title": "", "theme_color": "bad", "nav": "back"}
    )
    assert response["Location"].endswith("/steps/workstream/")
    channel.refresh_from_db()
    assert channel.data["appearance"]["theme_color"] == "bad"


def test_stale_version_is_409_with_the_message_and_keeps_typed_values(author_client):
    channel = ChannelFactory(owner=author_client.user)
    other = author(username="colleague")
    Channel.objects.filter(pk=channel.pk).update(version=channel.version + 1, last_editor=other)
    response = post_details(author_client, channel, name="My typed name")
    html = response.content.decode()
    assert response.status_code == 409
    assert "the last save was by colleague at" in html
    assert 'value="My typed name"' in html
    assert "Keep mine" in html and "Take theirs" in html
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"


def test_missing_version_is_409_and_saves_nothing(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = author_client.post(step_url(channel, "details"), {"name": "No version", "language": "1033"})
    assert response.status_code == 409
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"


@pytest.mark.parametrize("make_user", [reviewer, publisher])
def test_users_who_may_not_edit_get_403_on_post(client, make_user):
    channel = ChannelFactory()
    client.force_login(make_user())
    response = post_details(client, channel, name="Hijacked")
    assert response.status_code == 403
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"


def test_user_without_any_group_gets_403_on_get(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(step_url(ChannelFactory(), "details")).status_code == 403
    assert client.get(reverse("wizard:channels")).status_code == 403


def test_channel_in_review_is_read_only(author_client):
    channel = ChannelFactory(owner=author_client.user, status=ChannelStatus.IN_REVIEW)
    response = post_details(author_client, channel, name="Sneaky <b>name</b>")
    assert response.status_code == 409
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"
    # What was typed is not lost: it is listed beside the saved value, escaped, under one message.
    html = response.content.decode()
    unsaved = html[html.index('id="unsaved"') : html.index("</table>", html.index('id="unsaved"'))]
    assert "Sneaky &lt;b&gt;name&lt;/b&gt;" in unsaved and "Contoso support chat" in unsaved
    assert "What you typed on this step was not saved" in unsaved
    assert f'href="/channels/{channel.pk}/">Open the channel\'s page to withdraw it</a>' in unsaved
    assert "The author can withdraw it" not in html and "Withdraw it from review on the channel" not in html


def test_a_save_refused_after_a_colleague_submitted_lists_only_what_this_window_changed(author_client):
    from wizard.services import merge

    channel = ChannelFactory(owner=author_client.user)
    opened = copy.deepcopy(channel.data["appearance"])
    # Another window changed the subtitle and submitted the channel for review meanwhile.
    channel.data["appearance"]["subtitle"] = "Saved by the other window"
    channel.status = ChannelStatus.IN_REVIEW
    channel.save()
    typed = {k: v for k, v in opened.items() if k != "domains" and v not in (False, None)}
    typed.update(title="Title typed here", version=channel.version - 1, nav="save")
    typed["base"] = merge.sign_base(channel.pk, "appearance", opened)
    response = author_client.post(step_url(channel, "appearance"), typed)
    assert response.status_code == 409
    html = response.content.decode()
    unsaved = html[html.index('id="unsaved"') : html.index("</table>", html.index('id="unsaved"'))]
    assert "Title typed here" in unsaved
    # This window's old subtitle is not offered as something typed: copying it back would undo the change.
    assert "Subtitle" not in unsaved and opened["subtitle"] not in unsaved


def test_row_actions_add_and_remove_without_javascript_and_domains_keep_their_order(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "appearance")
    base = {k: v for k, v in channel.data["appearance"].items() if k != "domains" and v not in (False, None)}
    base.update(
        {"domains-TOTAL_FORMS": "2", "domains-0-domain": "a.contoso.com", "domains-1-domain": "b.contoso.com"}
    )
    # The widget shows on any of its domains, so they have no order to change: a forged move saves as typed.
    response = author_client.post(url, dict(base, version=channel.version, row_action="down:domains:0"))
    assert response.status_code == 302
    channel.refresh_from_db()
    assert [row["domain"] for row in channel.data["appearance"]["domains"]] == [
        "a.contoso.com",
        "b.contoso.com",
    ]
    author_client.post(url, dict(base, version=channel.version, row_action="add:domains"))
    channel.refresh_from_db()
    assert len(channel.data["appearance"]["domains"]) == 3
    assert channel.data["appearance"]["domains_only"] is True
    author_client.post(url, dict(base, version=channel.version, row_action="remove:domains:0"))
    channel.refresh_from_db()
    assert [row["domain"] for row in channel.data["appearance"]["domains"]] == ["b.contoso.com"]


def test_survey_questions_move_up_and_down_without_javascript(author_client):
    from wizard.services.rows import apply_row_action
    from wizard.steps import get_step

    form_class = get_step("behaviors").form_class
    rows = [{"name": name} for name in ("Name", "Email", "Phone")]
    moved = apply_row_action(form_class, {"questions": list(rows)}, "up:questions:2")["questions"]
    assert [row["name"] for row in moved] == ["Name", "Phone", "Email"]
    moved = apply_row_action(form_class, {"questions": list(rows)}, "down:questions:0")["questions"]
    assert [row["name"] for row in moved] == ["Email", "Name", "Phone"]
    # The first can't go up nor the last down; an index past the end changes nothing.
    for action in ("up:questions:0", "down:questions:2", "up:questions:7"):
        assert apply_row_action(form_class, {"questions": list(rows)}, action)["questions"] == rows


def test_identification_question_is_added_once(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "behaviors")
    for _ in range(2):
        channel.refresh_from_db()
        response = author_client.post(
            url,
            {
                "version": channel.version,
                "row_action": "identify:Email",
                "questions-TOTAL_FORMS": len(channel.data["behaviors"]["questions"]),
                **{
                    f"questions-{i}-{k}": v
                    for i, row in enumerate(channel.data["behaviors"]["questions"])
                    for k, v in row.items()
                    if v is not False
                },
            },
        )
        # Back to the questions, where the new one is.
        assert response["Location"].endswith("#rows-questions")
    channel.refresh_from_db()
    questions = channel.data["behaviors"]["questions"]
    assert [q["name"] for q in questions] == ["Email"]
    assert questions[0]["answer_type"] == "192350000"
    assert channel.data["behaviors"]["prechat_enabled"] is True


def test_review_step_lists_problems_linking_to_their_steps(author_client):
    channel = ChannelFactory(owner=author_client.user)
    channel.data["appearance"]["title"] = ""
    channel.save()
    html = author_client.get(step_url(channel, "review")).content.decode()
    assert "1 problem to fix" in html
    # Relative to the review page, so that drafts with the same content share its rendering.
    link = re.search(r'<li><a href="([^"]+)">Chat widget</a> – Title', html).group(1)
    assert urljoin(step_url(channel, "review"), link) == step_url(channel, "appearance") + "?problems=1"
    edit = re.search(r'href="([^"]+)">Edit<span class="visually-hidden"> Behaviors', html).group(1)
    assert urljoin(step_url(channel, "review"), edit) == step_url(channel, "behaviors")
    assert "Submit for review" in html


def test_review_step_checks_against_the_published_revision_it_loads_only_when_it_checks(author_client):
    channel = ChannelFactory(owner=author_client.user)
    published = Revision.objects.create(
        channel=channel,
        number=1,
        data=copy.deepcopy(channel.data),
        content_hash="a",
        created_by=channel.owner,
    )
    channel.published_revision = published
    channel.data["workstream"]["distribution_mode"] = DISTRIBUTION_PICK
    channel.save()
    assert published.data["workstream"]["distribution_mode"] == DISTRIBUTION_PUSH
    html = author_client.get(step_url(channel, "review")).content.decode()
    assert "1 problem to fix" in html
    assert "can&#x27;t be changed after the workstream was published" in html
    # Drawn again from its cached rendering: the revision is not read.
    with CaptureQueriesContext(connection) as queries:
        again = author_client.get(step_url(channel, "review")).content.decode()
    assert "1 problem to fix" in again
    assert not any("wizard_revision" in query["sql"] for query in queries.captured_queries)


def test_review_step_shows_a_refused_value_as_kept_not_as_lost(author_client):
    channel = ChannelFactory(owner=author_client.user)
    typed = "<b>Contoso</b> " + "x" * 300
    channel.data["appearance"]["title"] = typed
    channel.save()
    html = author_client.get(step_url(channel, "review")).content.decode()
    assert "1 problem to fix" in html
    title = re.search(r"<dt[^>]*>Title</dt><dd[^>]*>(.*?)</dd>", html, re.S).group(1)
    assert "Not accepted yet: “&lt;b&gt;Contoso&lt;/b&gt; xxx" in title and "kept on the step" in title
    assert "<b>" not in title and len(title) < 400  # escaped, and the long text shortened
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == typed


def test_review_step_shows_refused_row_text_as_kept(author_client):
    channel = ChannelFactory(owner=author_client.user)
    channel.data["appearance"].update(domains_only=True, domains=[{"domain": "javascript:alert(1)<b>"}])
    channel.save()
    html = author_client.get(step_url(channel, "review")).content.decode()
    domains = re.search(r"<dt[^>]*>Domains</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S).group(1)
    assert "<li>Domain: not accepted yet: “javascript:alert(1)&lt;b&gt;”</li>" in domains


def test_review_step_names_no_raw_id_for_a_choice_the_lists_no_longer_offer(author_client):
    channel = ChannelFactory(owner=author_client.user)
    gone = "727d0381-0000-4000-8000-000000000000"
    channel.data["workstream"].update(fallback_queue_mode="existing", existing_queue=gone)
    channel.save()
    html = author_client.get(step_url(channel, "review")).content.decode()
    shown = re.search(r"<dt[^>]*>Existing queue</dt><dd[^>]*>(.*?)</dd>", html, re.S).group(1)
    assert shown == "Chosen before, no longer in the environment&#x27;s lists"
    assert gone not in html.split('id="h-problems"')[1]  # neither in the problems nor in the summary


def test_channel_list_search_and_status_filter(author_client):
    ChannelFactory(name="Alpha support")
    ChannelFactory(name="Beta sales", status=ChannelStatus.APPROVED)
    html = author_client.get(reverse("wizard:channels"), {"q": "alpha"}).content.decode()
    assert "Alpha support" in html and "Beta sales" not in html
    html = author_client.get(reverse("wizard:channels"), {"status": "approved"}).content.decode()
    assert "Beta sales" in html and "Alpha support" not in html
    fragment = author_client.get(
        reverse("wizard:channels"), {"q": "beta"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<h1" not in fragment and "Beta sales" in fragment


def test_duplicate_and_delete_from_the_list(author_client):
    channel = ChannelFactory()
    response = author_client.post(reverse("wizard:duplicate", args=[channel.pk]))
    copy = Channel.objects.exclude(pk=channel.pk).get()
    assert response["Location"] == step_url(copy, "details")
    assert author_client.get(reverse("wizard:delete", args=[copy.pk])).status_code == 200
    author_client.post(reverse("wizard:delete", args=[copy.pk]))
    assert not Channel.objects.filter(pk=copy.pk).exists()


def test_resume_goes_to_the_last_step(author_client):
    channel = ChannelFactory(owner=author_client.user, current_step="behaviors")
    response = author_client.get(reverse("wizard:resume", args=[channel.pk]))
    assert response["Location"] == step_url(channel, "behaviors")


def test_rendered_form_is_reused_only_for_the_same_version(author_client, django_assert_max_num_queries):
    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "appearance")
    first = author_client.get(url).content.decode()
    assert author_client.get(url).content.decode().count('name="title"') == 1
    post = {k: v for k, v in channel.data["appearance"].items() if v not in (False, None) and k != "domains"}
    author_client.post(url, dict(post, title="A new title", version=channel.version, nav="save"))
    after = author_client.get(url).content.decode()
    assert 'value="A new title"' in after and 'value="A new title"' not in first


def _count_form_builds(monkeypatch):
    from wizard.views import steps as step_views

    calls = []
    real = step_views.drafts.bind_form
    monkeypatch.setattr(step_views.drafts, "bind_form", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_the_rendered_form_survives_a_save_that_changed_nothing(author_client, monkeypatch):
    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "appearance")
    author_client.get(url)
    post = {k: v for k, v in channel.data["appearance"].items() if v not in (False, None) and k != "domains"}
    assert author_client.post(url, dict(post, version=channel.version, nav="save")).status_code == 302
    channel.refresh_from_db()
    builds = _count_form_builds(monkeypatch)
    html = author_client.get(url).content.decode()
    assert builds == [] and f'name="version" value="{channel.version}"' in html


def test_a_change_on_another_step_renders_the_form_afresh(author_client, monkeypatch):
    channel = ChannelFactory(owner=author_client.user)
    author_client.get(step_url(channel, "behaviors"))
    workstream = dict(channel.data["workstream"], persistent_chat="on")
    workstream = {k: v for k, v in workstream.items() if v not in (False, None)}
    author_client.post(step_url(channel, "workstream"), dict(workstream, version=channel.version, nav="save"))
    builds = _count_form_builds(monkeypatch)
    author_client.get(step_url(channel, "behaviors"))
    assert builds


def test_a_new_draft_shows_no_errors_until_its_step_is_saved(author_client):
    response = author_client.post(reverse("wizard:new"), {"token": str(uuid.uuid4())})
    html = author_client.get(response["Location"]).content.decode()
    shown = 'data-required-message="Fill in this field."'  # for the browser's own check, not an error
    assert html.count("Fill in this field.") == html.count(shown) == 1
    channel = Channel.objects.get()
    post_details(author_client, channel, name="")
    html = author_client.get(response["Location"]).content.decode()
    # What to do, not Django's "This field is required."
    assert html.count("Fill in this field.") > 1 and "This field is required" not in html


def test_a_new_draft_shows_its_starting_values_and_keeps_them_on_save(author_client):
    from tests.factories import EnvironmentFactory

    environment = EnvironmentFactory(name="Contoso production")
    response = author_client.post(reverse("wizard:new"), {"token": str(uuid.uuid4())})
    html = author_client.get(response["Location"]).content.decode()
    assert f'<option value="{environment.pk}" selected>Contoso production</option>' in html
    channel = Channel.objects.get()
    post_details(author_client, channel, name="Chat", environment=str(environment.pk))
    channel.refresh_from_db()
    assert channel.environment == environment


def test_the_environment_must_be_chosen_once_one_exists(author_client):
    from tests.factories import EnvironmentFactory

    channel = ChannelFactory(owner=author_client.user)
    assert drafts_problems(channel) == []
    EnvironmentFactory()
    assert ("details", "Environment") in drafts_problems(channel)


def drafts_problems(channel):
    from wizard.services import drafts

    return [(problem.step.slug, problem.label) for problem in drafts.validate_all(channel)]


def test_too_many_rows_is_told_in_the_row_group_not_above_the_form(author_client):
    from tests.factories import complete_data

    questions = [
        {"name": f"Q{i}", "text": "t", "answer_type": "192350000", "options": "", "required": True}
        for i in range(11)
    ]
    channel = ChannelFactory(
        owner=author_client.user,
        data=complete_data(behaviors={"prechat_enabled": True, "questions": questions}),
    )
    html = author_client.get(step_url(channel, "behaviors")).content.decode()
    group = html[html.index('id="rows-questions"') :]
    assert re.match(
        r"[^>]*><input[^<]*<input[^<]*<input[^<]*<input[^<]*<div class=\"alert alert-danger\" data-rows-limit>",
        group,
    )
    assert "survey questions: at most 10 rows are allowed. Remove 1." in group[: group.index("data-rows>")]
    assert html.count("at most 10 rows are allowed") == 1


def test_enter_in_a_text_box_submits_next_not_a_step_tab(author_client):
    channel = ChannelFactory(owner=author_client.user)
    html = author_client.get(step_url(channel, "appearance")).content.decode()
    # The form's default button is the first submit button tied to it in the page.
    first = html.index('form="step-form"')
    default = html[html.rindex("<button", 0, first) : html.index(">", first)]
    assert 'value="next"' in default
    assert html.index(default) < html.index('value="goto:')


def test_a_refused_next_does_not_say_saved(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = post_details(author_client, channel, name="", nav="next")
    assert response["Location"].endswith(step_url(channel, "details"))
    html = author_client.get(response["Location"]).content.decode()
    alert = html[html.index('class="alert alert-danger"') :][:400]
    assert "Saved" not in alert and "fix the fields marked below" in alert


def test_a_row_added_without_javascript_shows_no_errors_until_the_author_acts(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "behaviors")
    values = {"version": channel.version, "row_action": "add:messages", "messages-TOTAL_FORMS": "0"}
    response = author_client.post(url, values)
    assert "added=messages" in response["Location"]
    channel.refresh_from_db()
    # The new row holds what its fields show: the first trigger, not a blank that reads as missing.
    assert channel.data["behaviors"]["messages"] == [{"trigger": "192350017", "text": ""}]
    html = author_client.get(response["Location"]).content.decode()
    assert 'name="messages-0-text"' in html and "Enter the message the customer sees" not in html
    # Without the marker (the author left it blank and came back) the error shows.
    assert (
        "Enter the message the customer sees, or remove this message."
        in author_client.get(url).content.decode()
    )


def test_identification_shortcuts_are_plain_words_and_hide_once_present(author_client):
    channel = ChannelFactory(owner=author_client.user)
    channel.data["behaviors"]["prechat_enabled"] = True
    channel.data["behaviors"]["questions"] = [
        {"name": "name", "text": "Your name?", "answer_type": "192350000", "options": "", "required": True}
    ]
    channel.saved_steps = ["behaviors"]
    channel.save()
    html = author_client.get(step_url(channel, "behaviors")).content.decode()
    assert "CaseNumber question" not in html and "Ask for case number" in html
    name_button = html[html.index('data-identify="Name"') :][:200]
    email_button = html[html.index('data-identify="Email"') :][:200]
    assert " hidden>" in name_button.split("</button>")[0]
    assert " hidden>" not in email_button.split("</button>")[0]


def test_rows_have_a_template_of_the_empty_row_for_the_page_script(author_client):
    channel = ChannelFactory(owner=author_client.user)
    html = author_client.get(step_url(channel, "behaviors")).content.decode()
    template = html[html.index("<template data-row-template>") : html.index("</template>")]
    assert 'name="questions-__prefix__-name"' in template or 'name="messages-__prefix__-text"' in template
    assert "is-invalid" not in template


def test_new_channel_is_one_click_from_home_and_the_channel_list(author_client):
    for url in (reverse("home"), reverse("wizard:channels")):
        html = author_client.get(url).content.decode()
        form = html[html.index(f'action="{reverse("wizard:new")}"') - 40 :][:400]
        assert 'method="post"' in form and 'name="token"' in form


def test_the_review_step_lists_a_missing_customer_voice_survey(author_client):
    channel = ChannelFactory(owner=author_client.user)
    channel.data["behaviors"].update(postchat_enabled=True, survey_provider="600990000", survey="")
    channel.save()
    html = author_client.get(step_url(channel, "review")).content.decode()
    assert "Choose a Customer Voice survey" in html
    assert "Every step is complete" not in html


def test_error_pages_use_the_portal_layout_with_a_way_back(author_client):
    response = author_client.get("/channels/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'href="/"' in html and "Page not found" in html and "navbar" in html
    forbidden = author_client.get(reverse("audit_log"))
    assert forbidden.status_code == 403
    assert "navbar" in forbidden.content.decode() and 'href="/"' in forbidden.content.decode()


@pytest.mark.parametrize(
    "action", ["remove:questions:99", "up:nope:1", "identify:<script>", "add:", "down:messages:-1"]
)
def test_malformed_row_actions_change_nothing(author_client, action):
    channel = ChannelFactory(owner=author_client.user)
    before = channel.data["behaviors"]
    values = {
        "version": channel.version,
        "row_action": action,
        "messages-TOTAL_FORMS": "0",
        "questions-TOTAL_FORMS": "0",
    }
    response = author_client.post(step_url(channel, "behaviors"), values)
    assert response.status_code == 302 and "<script>" not in response["Location"]
    channel.refresh_from_db()
    assert channel.data["behaviors"]["messages"] == before["messages"] == []
    assert channel.data["behaviors"]["questions"] == before["questions"] == []


@pytest.mark.parametrize("added", ["nope", "<b>x</b>", "questions"])
def test_the_added_marker_is_ignored_unless_it_names_a_row_set_with_rows(author_client, added):
    channel = ChannelFactory(owner=author_client.user)
    response = author_client.get(step_url(channel, "behaviors") + f"?added={added}")
    assert response.status_code == 200 and "<b>x</b>" not in response.content.decode()


@pytest.mark.parametrize(
    ("slug", "row_set", "toggle"),
    [("appearance", "domains", "domains_only"), ("behaviors", "questions", "prechat_enabled")],
)
def test_a_row_added_without_javascript_shows_blank_and_without_errors(author_client, slug, row_set, toggle):
    channel = ChannelFactory(owner=author_client.user)
    data = dict(channel.data[slug], **{toggle: True})
    data[row_set] = data.get(row_set) or []
    channel.data[slug] = data
    channel.save()
    values = {k: v for k, v in data.items() if not isinstance(v, list) and v not in (None, False)}
    values.update({"version": channel.version, "row_action": f"add:{row_set}"})
    for name in ("domains", "questions", "messages"):
        rows = data.get(name) or []
        values[f"{name}-TOTAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            for key, value in row.items():
                if value not in (None, False, ""):
                    values[f"{name}-{index}-{key}"] = "on" if value is True else value
    response = author_client.post(step_url(channel, slug), values)
    assert response.status_code == 302 and f"added={row_set}" in response["Location"]
    page = author_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    count = len(Channel.objects.get(pk=channel.pk).data[slug][row_set])
    new_row = html.split(f'data-row-index="{count - 1}"')[1].split("</fieldset>")[0]
    assert "is-invalid" not in new_row and "invalid-feedback" not in new_row


def test_review_and_banners_speak_to_whoever_reads_them(client):
    from wizard.services import workflow

    owner = author(username="owner")
    channel = ChannelFactory(owner=owner)
    client.force_login(reviewer(username="reader"))
    html = client.get(step_url(channel, "review")).content.decode()
    # A reader can't submit: the review says the steps are complete and asks nothing of them.
    assert "Every step is complete." in html and "Submit the channel for review" not in html
    client.force_login(owner)
    assert (
        "Submit the channel for review when you are ready"
        in client.get(step_url(channel, "review")).content.decode()
    )
    workflow.submit(channel, owner)
    html = client.get(step_url(channel, "appearance")).content.decode()
    assert "Withdraw it from review on the channel" in html and "The author can withdraw it" not in html
    client.force_login(reviewer(username="other"))
    html = client.get(step_url(channel, "appearance")).content.decode()
    assert "The author can withdraw it to make changes" in html


def test_a_problem_the_review_lists_opens_its_step_with_the_problems_on_top(author_client):
    channel = ChannelFactory(owner=author_client.user)
    data = dict(
        channel.data,
        behaviors=dict(
            channel.data["behaviors"], postchat_enabled=True, survey_provider="600990001", survey_url=""
        ),
    )
    Channel.objects.filter(pk=channel.pk).update(data=data)
    review = author_client.get(step_url(channel, "review")).content.decode()
    link = re.search(r'<a href="(\.\./behaviors/[^"]*)">Behaviors</a>', review)
    assert link, review
    url = urljoin(step_url(channel, "review"), link.group(1))
    html = author_client.get(url).content.decode()
    summary = html[html.index('id="step-problems"') : html.index("</div>", html.index('id="step-problems"'))]
    assert "The review lists these problems on this step" in summary
    assert '<a href="#id_survey_url">' in summary
    # Opened from the step list, the step shows its errors by its fields only.
    plain = author_client.get(step_url(channel, "behaviors")).content.decode()
    assert 'id="step-problems"' not in plain
