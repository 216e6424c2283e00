"""``{% summary_entries %}``: the review's settings of a step as a definition list body."""

from __future__ import annotations

import re

from django.template import Context, Template

from tests.factories import complete_data
from wizard.choices import BuiltinChoices
from wizard.steps import get_step
from wizard.summary import iter_entries


def drawn(data, slug):
    entries = list(iter_entries(data, BuiltinChoices(), steps=[get_step(slug)]))
    html = Template("{% load summary_tags %}{% summary_entries entries %}").render(
        Context({"entries": entries})
    )
    return dict(
        re.findall(r'<dt class="col-sm-5">(.*?)</dt><dd class="col-sm-7[^"]*">(.*?)</dd>', html)
    ), html


def test_each_setting_that_applies_is_a_term_and_its_value():
    terms, html = drawn(complete_data(), "appearance")
    assert terms["Title"] == "Chat with Contoso"
    assert terms["Proactive chat"] == "Off"
    # The reconnect time limit shows only while reconnecting is on: left out, not shown empty.
    assert "Time limit (minutes)" not in terms
    assert html.count("<dt") == html.count("<dd")


def test_rows_are_a_list_ordered_where_their_order_matters_and_a_dash_when_there_are_none():
    data = complete_data(
        behaviors={
            "prechat_enabled": True,
            "questions": [
                {"name": "Question_1", "text": "First?", "answer_type": "192350000", "required": True},
                {"name": "Question_2", "text": "Second?", "answer_type": "192350000", "required": False},
            ],
        },
    )
    terms, _ = drawn(data, "behaviors")
    questions = terms["Pre-conversation survey questions"]
    assert questions.startswith('<ol class="ps-3 mb-0"><li>') and questions.count("<li>") == 2
    assert questions.index("First?") < questions.index("Second?")
    assert terms["Custom automated messages"] == "—"
    domains = {"domains_only": True, "domains": [{"domain": "contoso.example"}]}
    terms, _ = drawn(complete_data(appearance=domains), "appearance")
    assert terms["Domains"] == '<ul class="ps-3 mb-0"><li>Domain: contoso.example</li></ul>'


def test_what_the_author_typed_is_escaped_and_refused_text_is_said_to_be_kept():
    terms, html = drawn(
        complete_data(appearance={"title": "<b>Hi</b>", "logo_url": "javascript:alert(1)"}), "appearance"
    )
    assert terms["Title"] == "&lt;b&gt;Hi&lt;/b&gt;"
    assert "<b>" not in html
    assert terms["Logo URL"] == (
        '<span class="text-danger">Not accepted yet: “javascript:alert(1)” (kept on the step; fix it there).</span>'
    )


def test_settings_are_listed_in_the_order_of_the_step_page_rows_after_their_toggle():
    _, html = drawn(complete_data(behaviors={"prechat_enabled": True, "questions": []}), "behaviors")
    terms = re.findall(r'<dt class="col-sm-5">(.*?)</dt>', html)
    assert terms.index("Pre-conversation survey") + 1 == terms.index("Pre-conversation survey questions")
    assert terms.index("Custom automated messages") < terms.index("Pre-conversation survey")
