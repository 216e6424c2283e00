"""A step saved from htmx is answered with the page it leads to (#step-page only), not a redirect."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ChannelFactory, author
from wizard.models import Channel

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "step-page"}


def step_url(channel, slug):
    return reverse("wizard:step", args=[channel.pk, slug])


@pytest.fixture
def author_client(client):
    user = author(username="author")
    client.force_login(user)
    client.user = user
    return client


def save_appearance(client, channel, **values):
    """The Chat widget step of ``channel`` saved through htmx with ``values`` over the draft's."""
    return client.post(step_url(channel, "appearance"), appearance_post(channel, **values), headers=HTMX)


def appearance_post(channel, **values):
    data = {k: v for k, v in channel.data["appearance"].items() if v not in (False, None) and k != "domains"}
    data.update({"version": channel.version, "nav": "next", "domains-TOTAL_FORMS": "0"})
    data.update(values)
    return data


def test_next_answers_with_the_next_step_and_saves(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title="From htmx"), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == step_url(channel, "behaviors")
    assert '<div id="step-page">' in html and "<html" not in html and '<nav class="navbar' not in html
    assert '<h1 class="h2">Behaviors</h1>' in html
    assert "<title>Behaviors · Contoso support chat · Chat Channel Studio</title>" in html
    assert f'name="version" value="{channel.version + 1}"' in html
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "From htmx" and channel.current_step == "behaviors"


def test_save_draft_answers_with_the_same_step_and_the_message(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, nav="save"), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and '<h1 class="h2">Chat widget</h1>' in html
    assert "Draft saved." in html
    # The message was shown in this answer; the next page doesn't show it again.
    assert "Draft saved." not in author_client.get(step_url(channel, "appearance")).content.decode()


def test_a_stale_save_is_refused_with_409_and_the_typed_values(author_client):
    channel = ChannelFactory(owner=author_client.user)
    other = author(username="other")
    Channel.objects.filter(pk=channel.pk).update(version=channel.version + 1, last_editor=other)
    response = author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title="Mine <b>typed</b>"), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert 'id="conflict"' in html and "the last save was by other" in html
    assert "Mine &lt;b&gt;typed&lt;/b&gt;" in html and "<b>typed</b>" not in html
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] != "Mine <b>typed</b>"


def test_a_pasted_nul_character_is_dropped_and_everything_else_saved(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = save_appearance(author_client, channel, title="Pasted\x00title", subtitle="Typed too")
    assert response.status_code == 200 and '<h1 class="h2">Behaviors</h1>' in response.content.decode()
    saved = Channel.objects.get(pk=channel.pk).data["appearance"]
    assert saved["title"] == "Pastedtitle" and saved["subtitle"] == "Typed too"


def test_a_missing_version_is_refused_with_409(author_client):
    channel = ChannelFactory(owner=author_client.user)
    data = appearance_post(channel)
    del data["version"]
    response = author_client.post(step_url(channel, "appearance"), data, headers=HTMX)
    assert response.status_code == 409 and '<div id="step-page">' in response.content.decode()


def test_next_from_an_invalid_step_stays_with_the_errors(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = save_appearance(author_client, channel, logo_url="javascript:alert(1)")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == step_url(channel, "appearance")
    assert '<h1 class="h2">Chat widget</h1>' in html
    assert "fix the fields marked below" in html and "Enter a URL that starts with https://" in html
    assert 'href="javascript' not in html
    channel.refresh_from_db()
    assert channel.data["appearance"]["logo_url"] == "javascript:alert(1)"


def test_a_row_action_loads_the_whole_page_at_the_rows(author_client):
    channel = ChannelFactory(owner=author_client.user)
    response = save_appearance(author_client, channel, row_action="add:domains", domains_only="on")
    assert response["HX-Redirect"] == step_url(channel, "appearance") + "?added=domains#rows-domains"


def test_a_double_submit_is_answered_twice_and_saved_once(author_client):
    channel = ChannelFactory(owner=author_client.user)
    data = appearance_post(channel, title="Twice")
    first = author_client.post(step_url(channel, "appearance"), data, headers=HTMX)
    second = author_client.post(step_url(channel, "appearance"), data, headers=HTMX)
    assert first.status_code == 200 and second.status_code == 200
    channel.refresh_from_db()
    assert channel.version == data["version"] + 1


def test_other_htmx_requests_and_plain_posts_keep_the_redirect(author_client):
    channel = ChannelFactory(owner=author_client.user)
    plain = author_client.post(step_url(channel, "appearance"), appearance_post(channel))
    assert plain.status_code == 302 and plain["Location"] == step_url(channel, "behaviors")
    channel.refresh_from_db()
    other_target = author_client.post(
        step_url(channel, "appearance"),
        appearance_post(channel),
        headers={"HX-Request": "true", "HX-Target": "somewhere-else"},
    )
    assert other_target.status_code == 302


def test_a_viewer_without_change_rights_cannot_save_through_htmx(client):
    from tests.factories import reviewer

    user = reviewer(username="viewer")
    client.force_login(user)
    channel = ChannelFactory()
    response = client.post(step_url(channel, "appearance"), appearance_post(channel), headers=HTMX)
    assert response.status_code == 403


def test_an_htmx_save_cycle_runs_at_most_eight_sql_statements(author_client, django_assert_max_num_queries):
    channel = ChannelFactory(owner=author_client.user)
    author_client.get(step_url(channel, "appearance"))
    author_client.get(step_url(channel, "behaviors"))
    with django_assert_max_num_queries(8):
        response = author_client.post(step_url(channel, "appearance"), appearance_post(channel), headers=HTMX)
    assert response.status_code == 200


def test_the_step_form_posts_through_htmx_and_still_works_without_it(author_client):
    channel = ChannelFactory(owner=author_client.user)
    html = author_client.get(step_url(channel, "appearance")).content.decode()
    url = step_url(channel, "appearance")
    assert f'<form id="step-form" method="post" action="{url}" hx-post="{url}" hx-target="#step-page"' in html
    # Without JavaScript every setting shows, those a switch turns off too: the page says they wait.
    assert re.search(
        r"<noscript><p [^>]*>Without JavaScript this page shows every setting[^<]*marked \*\.</p></noscript>",
        html,
    )


def test_the_review_step_is_cached_by_content_and_follows_every_change(author_client, monkeypatch):
    from wizard.views import steps as step_views

    channel = ChannelFactory(owner=author_client.user)
    review = step_url(channel, "review")
    first = author_client.get(review).content.decode()
    assert "Every step is complete" in first
    checks = []
    real = step_views.drafts.validate_all
    monkeypatch.setattr(step_views.drafts, "validate_all", lambda *a, **k: checks.append(1) or real(*a, **k))
    again = author_client.get(review).content.decode()
    assert checks == [] and "Every step is complete" in again
    # An empty title is a problem: the next view shows it and Submit is disabled.
    author_client.post(step_url(channel, "appearance"), appearance_post(channel, title="", nav="save"))
    html = author_client.get(review).content.decode()
    assert checks and "problem to fix" in html
    assert re.search(r'<button type="submit" class="btn btn-primary ms-auto" disabled', html)


def test_the_cached_preview_panel_follows_the_saved_draft(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "behaviors")
    assert 'data-check="title_missing"' not in author_client.get(url).content.decode()
    author_client.post(step_url(channel, "appearance"), appearance_post(channel, title="", nav="save"))
    assert 'data-check="title_missing"' in author_client.get(url).content.decode()


def test_the_preview_panel_is_rendered_again_only_when_its_checks_change(author_client, monkeypatch):
    from wizard.services import drafts

    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "behaviors")
    built = []
    real = drafts.step_page_preview
    monkeypatch.setattr(drafts, "step_page_preview", lambda channel: built.append(1) or real(channel))

    def panel_rendered():
        response = author_client.get(url)
        return "wizard/preview/panel.html" in [t.name for t in response.templates], response.content.decode()

    assert panel_rendered()[0]
    assert not panel_rendered()[0]
    # The panel's key reads the checked steps' values, not the environments list the details form offers.
    with CaptureQueriesContext(connection) as queries:
        author_client.get(url)
    assert not [q for q in queries.captured_queries if 'FROM "portal_environment"' in q["sql"]]
    # A step the checks don't read: the preview is not even built to find out.
    built.clear()
    workstream = dict(
        channel.data["workstream"], workstream_name="Renamed", version=channel.version, nav="save"
    )
    author_client.post(
        step_url(channel, "workstream"), {k: v for k, v in workstream.items() if v not in (None, False)}
    )
    assert Channel.objects.get(pk=channel.pk).data["workstream"]["workstream_name"] == "Renamed"
    assert not panel_rendered()[0] and built == []
    channel.refresh_from_db()
    # A subtitle is not among the checks: the frame draws it, so the panel stays as rendered.
    author_client.post(step_url(channel, "appearance"), appearance_post(channel, subtitle="New", nav="save"))
    assert not panel_rendered()[0]
    # A title too long for a phone's header is a check: the panel is drawn again and says so.
    channel.refresh_from_db()
    long_title = "A title far too long for the header of a phone"
    author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title=long_title, nav="save")
    )
    rendered, html = panel_rendered()
    assert rendered and 'data-check="title_truncated"' in html
    # Another step draws its own panel (it says which step's form it follows).
    response = author_client.get(step_url(channel, "features"))
    assert 'data-pv-step="features"' in response.content.decode()


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_reload_lists_saves_what_was_typed_then_reloads_and_says_so(author_client, monkeypatch, headers):
    from tests.factories import EnvironmentFactory

    cleared = []
    monkeypatch.setattr("wizard.environment_choices.clear_cache", cleared.append)
    environment = EnvironmentFactory(name="Contoso test")
    channel = ChannelFactory(owner=author_client.user, environment=environment)
    data = appearance_post(channel, title="Typed before reloading", nav="refresh")
    response = author_client.post(step_url(channel, "appearance"), data, headers=headers, follow=not headers)
    html = response.content.decode()
    assert response.status_code == 200 and '<h1 class="h2">Chat widget</h1>' in html
    assert "Lists reloaded from Contoso test." in html
    assert 'value="Typed before reloading"' in html
    assert cleared == [environment]
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Typed before reloading"
    assert channel.current_step == "appearance"


def test_a_viewer_reloads_the_lists_without_saving(client):
    from tests.factories import EnvironmentFactory, reviewer

    environment = EnvironmentFactory(name="Contoso test")
    channel = ChannelFactory(owner=author(username="owner"), environment=environment)
    client.force_login(reviewer(username="viewer"))
    page = client.get(step_url(channel, "appearance")).content.decode()
    assert reverse("wizard:refresh_choices", args=[channel.pk]) in page and 'value="refresh"' not in page
    response = client.post(
        reverse("wizard:refresh_choices", args=[channel.pk]),
        {"next": step_url(channel, "appearance")},
        follow=True,
    )
    assert "Lists reloaded from Contoso test." in response.content.decode()


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_refused_next_shows_a_focusable_alert_summary_linking_to_each_field(author_client, headers):
    channel = ChannelFactory(owner=author_client.user)
    response = author_client.post(
        step_url(channel, "appearance"),
        appearance_post(channel, logo_url="javascript:alert(1)"),
        headers=headers,
        follow=not headers,
    )
    html = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger" id="step-problems"[^>]*>.*?</div>', html, re.S)
    assert summary, html
    tag = summary.group(0)
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag and "data-focus-first" in tag
    assert "fix the fields marked below" in tag
    assert '<a href="#id_logo_url">Logo URL: Enter a URL that starts with https://' in tag
    assert 'id="id_logo_url"' in html
    # Shown once, as the summary, not also as a plain message.
    assert html.count("fix the fields marked below") == 1
    # A plain save of the same step is not a refused Next: no summary.
    again = author_client.post(
        step_url(channel, "appearance"),
        appearance_post(channel, nav="save", version=channel.version + 1),
        headers=HTMX,
    )
    assert "step-problems" not in again.content.decode()


def test_the_language_menu_changes_only_with_its_button_and_preview_checks_are_announced(author_client):
    channel = ChannelFactory(owner=author_client.user)
    html = author_client.get(step_url(channel, "appearance")).content.decode()
    menu = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', html, re.S).group(0)
    assert "data-autosubmit" not in menu and "<noscript>" not in menu
    assert '<button type="submit"' in menu and "Change language" in menu
    assert re.search(
        r'<div class="pv-checks-live" role="status" aria-live="polite">\s*<ul class="pv-checks"', html
    )


def test_enter_still_means_next_when_the_lists_can_be_reloaded(author_client):
    from tests.factories import EnvironmentFactory

    channel = ChannelFactory(owner=author_client.user, environment=EnvironmentFactory())
    html = author_client.get(step_url(channel, "appearance")).content.decode()
    first = html.index('form="step-form"')
    default = html[html.rindex("<button", 0, first) : html.index(">", first)]
    assert 'value="next"' in default
    assert html.index(default) < html.index('value="refresh"')


def test_drafts_with_the_same_content_share_the_rendered_form_and_preview_panel(author_client, monkeypatch):
    from wizard.views import steps as step_views

    first = ChannelFactory(owner=author_client.user)
    second = ChannelFactory(owner=author_client.user, data=first.data)
    built = []
    real = step_views.drafts.bind_form
    monkeypatch.setattr(
        step_views.drafts, "bind_form", lambda *a, **k: built.append(a[0].pk) or real(*a, **k)
    )
    one = author_client.get(step_url(first, "appearance")).content.decode()
    two = author_client.get(step_url(second, "appearance")).content.decode()
    assert built == [first.pk]  # the second draft's form came from the first one's rendering
    assert f'action="{step_url(second, "appearance")}"' in two  # the page around it is the second's
    # Both previews load their own channel: the panel's addresses are relative to the step page.
    assert one.count('src="../../preview/frame/"') == two.count('src="../../preview/frame/"') == 1
    assert one.split("<fieldset")[1].split("</form>")[0] == two.split("<fieldset")[1].split("</form>")[0]
    # Different content renders its own form.
    author_client.post(
        step_url(second, "appearance"), appearance_post(second, title="Only the second", nav="save")
    )
    html = author_client.get(step_url(second, "appearance")).content.decode()
    assert 'value="Only the second"' in html
    assert 'value="Only the second"' not in author_client.get(step_url(first, "appearance")).content.decode()


def test_a_step_form_follows_the_cross_step_rule_another_step_changes(author_client):
    from wizard.services import drafts

    channel = ChannelFactory(owner=author_client.user)
    url = step_url(channel, "behaviors")
    wait_time = r'<input type="checkbox" name="show_wait_time"[^>]* disabled'
    assert not re.search(wait_time, author_client.get(url).content.decode())
    drafts.save_step(
        channel,
        "workstream",
        dict(channel.data["workstream"], persistent_chat=True),
        expected_version=channel.version,
        user=author_client.user,
    )
    # Behaviors' own values are unchanged, but the rule they depend on now holds: rendered and checked anew.
    assert re.search(wait_time, author_client.get(url).content.decode())
    problems = drafts.validate_all(Channel.objects.get(pk=channel.pk))
    assert any("Persistent chat needs authentication settings" in problem.message for problem in problems)


def test_the_review_step_reads_the_environments_once_and_follows_an_archived_one(author_client):
    from tests.factories import EnvironmentFactory

    environment = EnvironmentFactory(name="Contoso test")
    channel = ChannelFactory(owner=author_client.user, environment=environment)
    channel.data["details"]["environment"] = str(environment.pk)
    channel.save()
    review = step_url(channel, "review")
    with CaptureQueriesContext(connection) as queries:
        html = author_client.get(review).content.decode()
    assert "Every step is complete" in html
    offered = 'SELECT "portal_environment"."id" AS "pk"'  # Environment.offered()
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(offered)]
    assert len(reads) == 1, reads
    assert '<dd class="col-sm-7 text-break">Contoso test</dd>' in html  # the summary names it
    # Archived since: the details step's check no longer holds, so neither do the cached problems.
    environment.archived = True
    environment.save()
    html = author_client.get(review).content.decode()
    assert "1 problem to fix" in html and "Channel details" in html


def test_the_review_finds_the_steps_their_next_already_checked(author_client, monkeypatch):
    from wizard.forms import StepForm
    from wizard.services import drafts
    from wizard.steps import FORM_STEPS

    channel = ChannelFactory(owner=author_client.user)
    for step in FORM_STEPS:  # what each step's Next checks
        assert drafts.check_step(channel, step, channel.step_data(step.slug)).valid
    checked = []
    real = StepForm.is_valid
    monkeypatch.setattr(StepForm, "is_valid", lambda self: checked.append(type(self).__name__) or real(self))
    assert drafts.validate_all(channel) == [] and checked == []
    saved = drafts.save_step(
        channel,
        "appearance",
        dict(channel.data["appearance"], title=""),
        expected_version=channel.version,
        user=author_client.user,
    )
    problems = drafts.validate_all(saved.channel)
    assert set(checked) == {"AppearanceForm"}  # only the changed step is checked again
    assert [(problem.step.slug, problem.label) for problem in problems] == [("appearance", "Title")]


def test_drafts_with_the_same_content_share_the_review_rendering(author_client, monkeypatch):
    from wizard.views import steps as step_views

    first = ChannelFactory(owner=author_client.user)
    second = ChannelFactory(owner=author_client.user, data=first.data)
    author_client.get(step_url(first, "review"))
    summarised = []
    real = step_views.iter_entries
    monkeypatch.setattr(step_views, "iter_entries", lambda *a, **k: summarised.append(1) or real(*a, **k))
    html = author_client.get(step_url(second, "review")).content.decode()
    assert summarised == [] and "Every step is complete" in html
    # What lies outside the shared part names the second draft.
    assert f'action="{reverse("wizard:submit", args=[second.pk])}"' in html


def test_after_a_save_the_review_draws_again_only_the_part_of_the_step_saved(author_client, monkeypatch):
    from wizard.views import steps as step_views

    channel = ChannelFactory(owner=author_client.user)
    author_client.get(step_url(channel, "review"))
    author_client.post(
        step_url(channel, "appearance"),
        appearance_post(channel, title="Chat with <b>Contoso</b>"),
        headers=HTMX,
    )
    summarised = []
    real = step_views.iter_entries
    monkeypatch.setattr(
        step_views,
        "iter_entries",
        lambda *a, **k: summarised.append([s.slug for s in k["steps"]]) or real(*a, **k),
    )
    html = author_client.get(step_url(channel, "review")).content.decode()
    assert summarised == [["appearance"]]
    assert "Chat with &lt;b&gt;Contoso&lt;/b&gt;" in html
    # Every step's part is there, in wizard order, the others from their earlier rendering.
    assert re.findall(r'<h2 class="h5 mb-0" id="h-(\w+)">', html) == [
        "details",
        "workstream",
        "appearance",
        "behaviors",
        "features",
    ]


def test_the_review_numbers_survey_questions_but_not_domains(author_client):
    from tests.factories import complete_data

    question = {
        "name": "Email",
        "text": "Your e-mail?",
        "answer_type": "192350000",
        "options": "",
        "required": True,
    }
    data = complete_data(
        appearance={
            "domains_only": True,
            "domains": [{"domain": "a.contoso.com"}, {"domain": "b.contoso.com"}],
        },
        behaviors={
            "prechat_enabled": True,
            "questions": [question, dict(question, name="Name", text="Your name?")],
        },
    )
    channel = ChannelFactory(owner=author_client.user, data=data)
    html = author_client.get(step_url(channel, "review")).content.decode()
    domains = html[html.index('id="h-appearance"') : html.index('id="h-behaviors"')]
    questions = html[html.index('id="h-behaviors"') : html.index('id="h-features"')]
    assert (
        '<ul class="ps-3 mb-0"><li>Domain: a.contoso.com</li><li>Domain: b.contoso.com</li></ul>' in domains
    )
    assert (
        '<ol class="ps-3 mb-0"><li>' in questions and "Your e-mail?" in questions and "<ul" not in questions
    )


def test_the_shared_step_list_links_each_reader_to_the_steps_of_their_own_channel(client):
    from urllib.parse import urljoin

    from tests.factories import reviewer

    client.force_login(reviewer(username="viewer"))
    first, second = ChannelFactory(), ChannelFactory()
    for channel in (first, second):  # the second page's step list comes from the first one's rendering
        url = step_url(channel, "appearance")
        html = client.get(url).content.decode()
        nav = html.split('<nav aria-label="Wizard steps"')[1].split("</nav>")[0]
        links = re.findall(r'<a class="nav-link" href="([^"]+)">', nav)
        assert len(links) == 5  # every step but the one shown
        assert {urljoin(url, link) for link in links} == {
            step_url(channel, slug) for slug in ("details", "workstream", "behaviors", "features", "review")
        }
        assert client.get(urljoin(url, links[0])).status_code == 200


def test_drawn_pages_and_checks_are_kept_in_each_process_and_never_in_the_shared_cache(author_client):
    """The shared cache (Redis where several processes serve the portal) is asked only for what must
    be shared; renderings and checks are keyed by content and cost no round trip."""
    from django.core.cache import cache

    from portal.caching import renderings

    channel = ChannelFactory(owner=author_client.user)
    author_client.post(step_url(channel, "appearance"), appearance_post(channel, title="Kept"), headers=HTMX)
    assert author_client.get(step_url(channel, "review")).status_code == 200
    kept = " ".join(renderings._cache)  # type: ignore[attr-defined]
    for name in (
        "wizard_step_form",
        "wizard_step_nav",
        "wizard_preview_panel",
        "wizard_review",
        "wizard_review_section",
    ):
        assert f"template.cache.{name}." in kept
    assert "wizard_step_check:" in kept and "wizard_review_problems:" in kept
    shared = " ".join(cache._cache)  # type: ignore[attr-defined]
    assert "wizard" not in shared and "template.cache" not in shared


def test_the_check_a_next_made_is_stored_with_the_draft_for_every_worker_process(author_client, monkeypatch):
    from django.core.cache import caches

    from wizard.forms.base import StepForm
    from wizard.services import drafts
    from wizard.steps import get_step

    channel = ChannelFactory(owner=author_client.user)
    response = author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title="Checked once"), headers=HTMX
    )
    assert response.status_code == 200
    channel.refresh_from_db()
    step = get_step("appearance")
    stored = channel.step_checks["appearance"]
    assert stored["valid"] and stored["no_errors"] and stored["problems"] == []
    assert stored["key"] == drafts.shown_step_key(channel, step, drafts.choices_for(channel))
    # Another worker process has none of this one's cache: the page and the review still find the
    # check, so neither validates the Chat widget step again.
    for cache in caches.all(initialized_only=True):
        cache.clear()
    validated = []
    real = StepForm.full_clean
    monkeypatch.setattr(
        StepForm, "full_clean", lambda form: validated.append(type(form).__name__) or real(form)
    )
    html = author_client.get(step_url(channel, "appearance")).content.decode()
    assert 'value="Checked once"' in html and "AppearanceForm" not in validated
    author_client.get(step_url(channel, "review"))
    assert "AppearanceForm" not in validated and "DetailsForm" in validated


@pytest.mark.parametrize(
    "entry",
    [{"key": "another", "valid": True, "no_errors": True, "problems": []}, {"key": None}, "not a check"],
    ids=["other-values", "missing-fields", "wrong-type"],
)
def test_a_stored_check_of_other_values_or_shape_is_not_trusted(author_client, entry):
    # The stored check says the step is fine, but it is not of these values (or not a check at all):
    # the review checks the empty title again and lists it.
    channel = ChannelFactory(owner=author_client.user)
    data = dict(channel.data, appearance=dict(channel.data["appearance"], title=""))
    Channel.objects.filter(pk=channel.pk).update(data=data, step_checks={"appearance": entry})
    html = author_client.get(step_url(channel, "review")).content.decode()
    assert "problem to fix" in html and "Title" in html


def test_checks_and_renderings_of_other_code_are_not_used(author_client, monkeypatch):
    # A deployment that changes how a step is checked or drawn changes the code digest in every key:
    # the check stored with the draft and the cached form of the old code are not used.
    from wizard.forms.base import StepForm
    from wizard.services import drafts

    channel = ChannelFactory(owner=author_client.user)
    author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title="Old code"), headers=HTMX
    )
    author_client.get(step_url(channel, "appearance"))
    assert re.fullmatch(r"[0-9a-f]{16}", drafts.code_digest())
    monkeypatch.setattr(drafts, "code_digest", lambda: "another-deployment")
    validated = []
    real = StepForm.full_clean
    monkeypatch.setattr(
        StepForm, "full_clean", lambda form: validated.append(type(form).__name__) or real(form)
    )
    html = author_client.get(step_url(channel, "appearance")).content.decode()
    assert 'value="Old code"' in html and "AppearanceForm" in validated


PANEL = re.compile(r'<section[^>]*id="preview-panel"[^>]*>(.*?)</section>', re.S)


def test_a_save_keeps_the_preview_the_page_shows(author_client):
    channel = ChannelFactory(owner=author_client.user)
    html = author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title="Kept"), headers=HTMX
    ).content.decode()
    panel = PANEL.search(html)
    # htmx keeps the page's own panel (its frame, state and width); the answer only names it.
    assert panel and 'hx-preserve="true"' in panel.group(0) and panel.group(1) == ""
    assert "data-pv-frame" not in html
    # The preview now follows the next step's form.
    assert re.search(r'data-pv-sync[^>]*data-pv-step="behaviors"', html)


def test_a_save_that_takes_in_someone_elses_changes_draws_the_preview_again(author_client):
    channel = ChannelFactory(owner=author_client.user)
    page = author_client.get(step_url(channel, "appearance")).content.decode()
    base = re.search(r'name="base" value="([^"]+)"', page).group(1)
    theirs = dict(channel.data, features=dict(channel.data["features"], notify_sound=True))
    Channel.objects.filter(pk=channel.pk).update(
        version=channel.version + 1, data=theirs, last_editor=author(username="other")
    )
    response = author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title="Mine", base=base), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Mine" and channel.data["features"]["notify_sound"] is True
    # The frame on the page drew the draft before the other save: a new panel (and frame) replaces it.
    panel = PANEL.search(html)
    assert panel and "hx-preserve" not in panel.group(0) and "data-pv-frame" in panel.group(1)


def test_a_save_that_changes_the_widget_language_draws_the_preview_again(author_client):
    channel = ChannelFactory(owner=author_client.user)
    details = {k: v for k, v in channel.data["details"].items() if v not in (False, None)}

    def save(language):
        version = Channel.objects.get(pk=channel.pk).version
        body = dict(details, language=language, version=version, nav="next")
        return author_client.post(step_url(channel, "details"), body, headers=HTMX).content.decode()

    # The widget's built-in texts and the note about languages the preview has none in come with the
    # panel's frame: a new language needs a new panel.
    html = save("1041")
    panel = PANEL.search(html)
    assert panel and "hx-preserve" not in panel.group(0) and "data-pv-frame" in panel.group(1)
    assert "it has them in English and Korean only" in html
    # The same language again keeps the page's panel.
    panel = PANEL.search(save("1041"))
    assert panel and 'hx-preserve="true"' in panel.group(0) and panel.group(1) == ""
    # Korean: the texts the draft was given are Korean ones, and the page says so.
    html = save("1042")
    assert "are now in Korean." in html
    saved = Channel.objects.get(pk=channel.pk).data["appearance"]
    assert saved["offline_title"] == "지금은 오프라인입니다" and saved["title"] == "Chat with Contoso"


def test_a_refused_stale_save_draws_the_preview_again(author_client):
    channel = ChannelFactory(owner=author_client.user)
    Channel.objects.filter(pk=channel.pk).update(version=channel.version + 1)
    html = author_client.post(
        step_url(channel, "appearance"), appearance_post(channel, title="Mine"), headers=HTMX
    ).content.decode()
    assert "hx-preserve" not in html and "data-pv-frame" in html


def test_the_error_summary_lists_problems_in_the_order_of_the_page(author_client):
    channel = ChannelFactory(owner=author_client.user)
    values = appearance_post(
        channel,
        title="",
        anonymize_agent="on",
        generic_agent_name="",
        reconnect_enabled="on",
        reconnect_time_limit="soon",
        reconnect_redirect_url="javascript:alert(1)",
        logo_url="ftp://logo",
    )
    values.pop("domains_only", None)
    html = author_client.post(step_url(channel, "appearance"), values, headers=HTMX).content.decode()
    summary = re.search(r'<div class="alert alert-danger" id="step-problems"[^>]*>.*?</div>', html, re.S)
    links = re.findall(r'<a href="#id_(\w+)">', summary.group(0))
    # Title, Logo URL and Generic agent name (header), then Time limit and Redirect URL (chat options).
    assert links == [
        "title",
        "logo_url",
        "generic_agent_name",
        "reconnect_time_limit",
        "reconnect_redirect_url",
    ]


def test_moving_a_draft_to_another_environment_says_which_choices_to_make_again(author_client):
    from tests.factories import complete_data, environment_with_lists

    org_a = environment_with_lists(
        "Org A",
        operating_hours=[("a-hours", "Business hours")],
        authentication_settings=[("a-auth", "Portal sign-in")],
    )
    org_b = environment_with_lists(
        "Org B",
        operating_hours=[("b-hours", "Business hours")],
        authentication_settings=[("b-auth", "Other sign-in")],
    )
    data = complete_data(
        details={"environment": str(org_a.pk)},
        appearance={"operating_hours_only": True, "operating_hours": "a-hours"},
        behaviors={"authentication_settings": "a-auth"},
    )
    channel = ChannelFactory(owner=author_client.user, environment=org_a, data=data)
    details = {k: v for k, v in data["details"].items() if v is not False}
    posted = dict(details, environment=str(org_b.pk), version=channel.version, nav="save")
    html = author_client.post(step_url(channel, "details"), posted, headers=HTMX).content.decode()
    assert "Draft saved." in html
    assert (
        "Choose again on Behaviors: Authentication settings. What was chosen there before has no single "
        "match by name in Org B."
    ) in html
    assert "Choose again on Chat widget" not in html
    # The operating hours followed by name: the Chat widget step shows them chosen, with no complaint.
    page = author_client.get(step_url(channel, "appearance")).content.decode()
    assert re.search(r'<option value="b-hours"[^>]*selected', page)
    assert "no longer in the list" not in page
    # The authentication settings Org B has no match for stay chosen, said to be no longer in the list,
    # so that saving the step keeps them instead of the first option ("None") taking their place.
    page = author_client.get(step_url(channel, "behaviors")).content.decode()
    assert '<option value="a-auth" selected>Chosen before, no longer in the list</option>' in page
