import copy
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests import factories
from wizard import options
from wizard.models import Channel
from wizard.options import DEFAULT_THEME, THEME_COLORS
from wizard.preview import (
    STATES,
    TITLE_VISIBLE_CHARS,
    build_preview,
    merge_unsaved,
    preview_context,
    preview_payload,
    preview_values,
)
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


@pytest.mark.parametrize("url", ["https://", "https:///logo.png", "HTTPS://"])
def test_a_logo_url_without_an_address_says_so_rather_than_asking_for_https(url):
    (check,) = build_preview(data_with(appearance={"logo_url": url})).checks
    assert "no address after https://" in check.message and "does not start" not in check.message


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


def test_a_title_the_step_refuses_is_said_to_keep_the_channel_from_being_submitted():
    preview = build_preview(data_with(appearance={"title": "x" * 5000}))
    codes = [check.code for check in preview.checks]
    assert "title_refused" in codes and "title_truncated" not in codes and "title_missing" not in codes
    refused = next(check for check in preview.checks if check.code == "title_refused")
    assert "5000 characters" in refused.message and "can't be submitted with it" in refused.message


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


# --- the JSON the frame embeds ----------------------------------------------------------------------


def test_preview_values_are_the_shown_steps_as_the_reader_gives_them():
    data = data_with(
        appearance={"title": " Hello ", "reconnect_enabled": "on", "reconnect_time_limit": "30.0"},
        features={"attachments_customers": True},
    )
    values = preview_values(data)
    assert set(values) == {"appearance", "behaviors", "features"}
    assert values["appearance"]["title"] == "Hello" and values["features"]["attachments_customers"] is True
    # cleaned through the form's fields: the number of minutes, never the raw string
    assert values["appearance"]["reconnect_enabled"] is True
    assert values["appearance"]["reconnect_time_limit"] == 30
    # a hidden setting is not shown: the offline title while the widget is not limited to operating hours
    assert values["appearance"]["offline_title"] == ""
    values["appearance"]["title"] = "changed"
    assert data["appearance"]["title"] == " Hello "  # a copy: the frame's JSON never aliases the draft


@pytest.mark.parametrize("data", [None, [], "x", {"appearance": "x", "behaviors": [1], "features": None}])
def test_preview_values_of_garbage_are_a_new_drafts_steps(data):
    assert preview_values(data) == preview_values(default_data())


def test_context_carries_the_one_theme_table_and_the_option_values():
    context = preview_context()
    assert context["themes"] == {color.value: color.hex for color in THEME_COLORS}
    assert context["default_theme"] == DEFAULT_THEME
    assert context["options"]["position_left"] == options.POSITION_BOTTOM_LEFT
    assert context["options"]["survey_mode_in_conversation"] == options.SURVEY_MODE_IN_CONVERSATION
    assert set(context["options"]["answer_kinds"]) == {value for value, _label in options.ANSWER_TYPES}
    assert set(context["sample_agents"]) == {value for value, _label in options.AGENT_DISPLAY_NAMES} | {
        "default"
    }
    assert all(isinstance(text, str) and text for text in context["text"].values())
    assert context["states"] == [value for value, _label in STATES]


def test_payload_accepts_only_known_states_and_widths():
    assert preview_payload({}, state="prechat", device="mobile")["state"] == "prechat"
    assert preview_payload({}, state="prechat", device="mobile")["device"] == "mobile"
    bad = preview_payload({}, state="<script>", device="tv")
    assert (bad["state"], bad["device"]) == ("open", "desktop")
    assert {value for value, _label in STATES} == {
        "launcher",
        "open",
        "offline",
        "prechat",
        "postchat",
        "reconnect",
        "proactive",
    }


# --- the widget template (switches, frame, checks) ---------------------------------------------------


def test_template_escapes_the_checks_and_embeds_the_frame():
    data = data_with(appearance={"title": XSS * 3, "logo_url": XSS, "theme_color": "192350006"})
    preview = build_preview(data, key="pv", frame_url="/channels/1/preview/frame/")
    html = render_to_string("wizard/preview/widget.html", {"preview": preview})
    assert "<script>" not in html and "<img src=x" not in html
    assert '<iframe class="pv-frame" src="/channels/1/preview/frame/"' in html
    assert {'data-check="contrast"', 'data-check="title_refused"', 'data-check="logo_not_https"'} <= {
        part.split(">")[0] for part in html.split(" ") if part.startswith("data-check=")
    }


# --- the checks endpoint -----------------------------------------------------------------------------


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


def test_checks_follow_typed_values_without_saving(client, channel):
    client.force_login(channel.owner)
    before = Channel.objects.get(pk=channel.pk)
    clay = next(color for color in THEME_COLORS if color.value == "192350006")
    response = post_preview(client, channel, title="x" * (TITLE_VISIBLE_CHARS + 5), theme_color=clay.value)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-check="title_truncated"' in html and 'data-check="contrast"' in html
    assert "<html" not in html and 'id="pv-checks"' in html  # a fragment, not a page
    assert (
        'data-check="contrast"' not in post_preview(client, channel, theme_color="19236004").content.decode()
    )
    after = Channel.objects.get(pk=channel.pk)
    assert (
        after.version == before.version
        and after.data == before.data
        and after.updated_at == before.updated_at
    )


def test_checks_escape_and_refuse_bad_input(client, channel):
    client.force_login(channel.owner)
    response = post_preview(
        client, channel, title=XSS, theme_color="#ff0000", logo_url="javascript:alert(1)", preview_key='"><b>'
    )
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html
    assert "javascript:" not in html
    assert 'data-check="logo_not_https"' in html and 'id="pv-checks"' in html


def test_checks_fragment_is_small(client, channel):
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
    assert len(response.content) < 4 * 1024


def test_step_and_review_pages_show_the_preview_frame(client, channel):
    client.force_login(channel.owner)
    from urllib.parse import urljoin

    frame = reverse("wizard:preview_frame", args=[channel.pk])
    for slug in ("appearance", "review"):
        url = reverse("wizard:step", args=[channel.pk, slug])
        html = client.get(url).content.decode()
        assert 'aria-label="Widget preview"' in html
        # Relative to the step page, so that drafts with the same content share the panel's rendering.
        src = re.search(r'<iframe class="pv-frame" src="([^"]+)"', html).group(1)
        assert urljoin(url, src) == frame
    url = reverse("wizard:step", args=[channel.pk, "appearance"])
    step_html = client.get(url).content.decode()
    hx_post = re.search(r'data-pv-sync[^>]*hx-post="([^"]+)"', step_html).group(1)
    assert urljoin(url, hx_post) == reverse("wizard:preview", args=[channel.pk])
    assert 'data-pv-step="appearance"' in step_html
