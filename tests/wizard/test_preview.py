import copy
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests import factories
from wizard.models import Channel
from wizard.options import DEFAULT_THEME, THEME_COLORS
from wizard.preview import TITLE_VISIBLE_CHARS, build_preview, merge_unsaved
from wizard.steps import default_data

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def data_with(**steps):
    data = default_data()
    for slug, values in steps.items():
        data[slug].update(values)
    return data


# --- preview context ------------------------------------------------------------------------------


def test_defaults():
    preview = build_preview(default_data())
    assert preview.title == "Let's chat"
    assert preview.theme.value == DEFAULT_THEME
    assert preview.position == "right"
    assert preview.agent_name == "Jordan Lee"
    assert preview.logo_url == ""
    assert preview.checks == []
    assert not (preview.attachments or preview.transcript_download or preview.voice_call or preview.sound)


@pytest.mark.parametrize("data", [None, {}, {"appearance": "oops"}, {"appearance": {"theme_color": ["x"]}}])
def test_garbage_data_does_not_crash(data):
    preview = build_preview(data)
    assert preview.theme.value == DEFAULT_THEME


def test_unknown_colour_falls_back_to_default_theme():
    preview = build_preview(data_with(appearance={"theme_color": "#ff0000; background:url(x)"}))
    assert preview.theme.value == DEFAULT_THEME
    assert preview.theme_class == f"pv-theme-{DEFAULT_THEME}"


def test_position_left():
    assert build_preview(data_with(appearance={"widget_position": "192236011"})).position == "left"


def test_low_contrast_theme_warns_with_ratio():
    clay = next(color for color in THEME_COLORS if str(color.label) == "Clay")
    preview = build_preview(data_with(appearance={"theme_color": clay.value}))
    [check] = [check for check in preview.checks if check.code == "contrast"]
    assert preview.contrast_text in check.message
    assert "4.5:1" in check.message and "darker" in check.message


def test_good_contrast_theme_has_no_warning():
    preview = build_preview(data_with(appearance={"theme_color": "19236004"}))
    assert not [check for check in preview.checks if check.code == "contrast"]


@pytest.mark.parametrize(
    "url",
    [
        "http://contoso.com/logo.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "//evil.example/x.png",
        "https:///nohost.png",
        "https://contoso.com/lo go.png",
    ],
)
def test_logo_not_https_is_not_loaded(url):
    preview = build_preview(data_with(appearance={"logo_url": url}))
    assert preview.logo_url == ""
    assert [check.code for check in preview.checks] == ["logo_not_https"]


def test_logo_https_image_loads_and_non_image_warns():
    good = build_preview(data_with(appearance={"logo_url": "https://contoso.com/img/logo.svg"}))
    assert good.logo_url == "https://contoso.com/img/logo.svg" and good.checks == []
    page = build_preview(data_with(appearance={"logo_url": "https://contoso.com/about"}))
    assert page.logo_url == "https://contoso.com/about"
    assert [check.code for check in page.checks] == ["logo_not_image"]


def test_long_title_is_flagged():
    preview = build_preview(data_with(appearance={"title": "x" * (TITLE_VISIBLE_CHARS + 1)}))
    assert preview.title_truncated
    assert "title_truncated" in [check.code for check in preview.checks]
    assert not build_preview(data_with(appearance={"title": "x" * TITLE_VISIBLE_CHARS})).title_truncated


@pytest.mark.parametrize(
    ("option", "name"),
    [("192350000", "Jordan Lee"), ("192350001", "Jordan"), ("192350002", "Lee"), ("192350003", "Jo")],
)
def test_agent_display_name(option, name):
    assert build_preview(data_with(appearance={"agent_display_name": option})).agent_name == name


def test_anonymised_agent_uses_generic_name():
    data = data_with(appearance={"anonymize_agent": "on", "generic_agent_name": "Contoso team"})
    assert build_preview(data).agent_name == "Contoso team"


def test_features_and_calling():
    data = data_with(
        features={
            "attachments_customers": True,
            "transcript_download": True,
            "notify_sound": True,
            "notify_unread_count": True,
            "calling": "192350001",
        }
    )
    preview = build_preview(data)
    assert preview.attachments and preview.transcript_download and preview.sound and preview.unread_count
    assert preview.voice_call and preview.video_call
    voice = build_preview(data_with(features={"calling": "192350002"}))
    assert voice.voice_call and not voice.video_call


def test_questions_and_offline():
    questions = [
        {"name": "Name", "text": "Your name?", "answer_type": "192350000", "options": "", "required": True},
        {
            "name": "Topic",
            "text": "Topic?",
            "answer_type": "192350002",
            "options": "Sales; Support;",
            "required": "",
        },
        "garbage",
    ]
    data = data_with(
        behaviors={"prechat_enabled": True, "questions": questions},
        appearance={"operating_hours_only": True, "show_offline_widget": False},
    )
    preview = build_preview(data)
    assert [q.kind for q in preview.questions] == ["text", "select"]
    assert preview.questions[0].required and not preview.questions[1].required
    assert preview.questions[1].options == ["Sales", "Support"]
    assert preview.hidden_when_offline


def test_merge_unsaved_does_not_touch_the_draft():
    data = default_data()
    before = copy.deepcopy(data)
    merged = merge_unsaved(data, "appearance", {"title": "Typed", "theme_color": "19236001"})
    assert merged["appearance"]["title"] == "Typed"
    assert data == before
    assert merge_unsaved(data, "review", {"title": "x"}) == data
    assert merge_unsaved(data, "nope", {"title": "x"}) == data


# --- template -------------------------------------------------------------------------------------


def test_template_escapes_every_text_field():
    data = data_with(
        appearance={
            "title": XSS,
            "subtitle": XSS,
            "generic_agent_name": XSS,
            "anonymize_agent": True,
            "offline_title": XSS,
            "offline_subtitle": XSS,
            "operating_hours_only": True,
            "show_offline_widget": True,
            "logo_url": XSS,
            "reconnect_enabled": True,
            "reconnect_time_limit": XSS,
            "proactive_chat": True,
        },
        behaviors={
            "prechat_enabled": True,
            "postchat_enabled": True,
            "survey_link_message": XSS,
            "questions": [
                {
                    "name": "Q",
                    "text": XSS,
                    "answer_type": "192350002",
                    "options": XSS + ";b",
                    "required": True,
                }
            ],
        },
    )
    html = render_to_string("wizard/preview/widget.html", {"preview": build_preview(data)})
    assert "<script>" not in html and "<img src=x" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8


def test_ten_long_questions_scroll_in_a_pane():
    questions = [
        {"name": f"Q{i}", "text": "Why " * 120, "answer_type": "192350001", "options": "", "required": True}
        for i in range(10)
    ]
    preview = build_preview(data_with(behaviors={"prechat_enabled": True, "questions": questions}))
    html = render_to_string("wizard/preview/widget.html", {"preview": preview})
    assert html.count('class="pv-question"') == 10
    css = (Path(__file__).resolve().parents[2] / "static/css/preview.css").read_text()
    assert ".pv-pane { height: 300px; overflow-y: auto;" in css


def test_css_has_every_theme_colour():
    css = (Path(__file__).resolve().parents[2] / "static/css/preview.css").read_text()
    for color in THEME_COLORS:
        assert f".pv-theme-{color.value} {{ --pv-theme: {color.hex}; }}" in css


# --- the preview endpoint -------------------------------------------------------------------------


@pytest.fixture
def channel(db):
    return factories.ChannelFactory(owner=factories.author(username="author"))


def post_preview(client, channel, **values):
    return client.post(reverse("wizard:preview", args=[channel.pk]), {"preview_step": "appearance", **values})


def test_preview_needs_sign_in_and_permission(client, channel):
    response = post_preview(client, channel, title="x")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(factories.UserFactory(username="nobody"))
    assert post_preview(client, channel, title="x").status_code == 403


def test_preview_is_post_only(client, channel):
    client.force_login(channel.owner)
    assert client.get(reverse("wizard:preview", args=[channel.pk])).status_code == 405


def test_reviewer_may_preview(client, channel):
    client.force_login(factories.reviewer(username="rev"))
    assert post_preview(client, channel, title="Hello").status_code == 200


def test_preview_shows_typed_values_without_saving(client, channel):
    client.force_login(channel.owner)
    before = Channel.objects.get(pk=channel.pk)
    response = post_preview(
        client, channel, title="Typed, not saved", theme_color="19236001", widget_position="192236011"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Typed, not saved" in html
    assert "pv-theme-19236001" in html and "pv-pos-left" in html
    assert "<html" not in html  # a fragment, not a page
    after = Channel.objects.get(pk=channel.pk)
    assert (
        after.version == before.version
        and after.data == before.data
        and after.updated_at == before.updated_at
    )


def test_preview_escapes_and_rejects_bad_colour(client, channel):
    client.force_login(channel.owner)
    response = post_preview(
        client, channel, title=XSS, subtitle=XSS, theme_color="#ff0000", logo_url="javascript:alert(1)"
    )
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"pv-theme-{DEFAULT_THEME}" in html
    assert "javascript:" not in html


def test_preview_fragment_is_small(client, channel):
    client.force_login(channel.owner)
    questions = {}
    for i in range(10):
        questions.update(
            {
                f"questions-{i}-name": f"Q{i}",
                f"questions-{i}-text": "Long question " * 30,
                f"questions-{i}-answer_type": "192350002",
                f"questions-{i}-options": "a;b;c",
                f"questions-{i}-required": "on",
            }
        )
    response = client.post(
        reverse("wizard:preview", args=[channel.pk]),
        {
            "preview_step": "behaviors",
            "prechat_enabled": "on",
            "postchat_enabled": "on",
            "questions-TOTAL_FORMS": "10",
            **questions,
        },
    )
    assert response.status_code == 200
    assert len(response.content) < 20 * 1024


def test_step_and_review_pages_show_the_preview(client, channel):
    client.force_login(channel.owner)
    for slug in ("appearance", "review"):
        html = client.get(reverse("wizard:step", args=[channel.pk, slug])).content.decode()
        assert 'aria-label="Widget preview"' in html
        assert "data-pv-body" in html
    step_html = client.get(reverse("wizard:step", args=[channel.pk, "appearance"])).content.decode()
    assert f'hx-post="/channels/{channel.pk}/preview/"' in step_html
