"""Fuzzing the query strings and forms the portal owns: no input gives a 500.

Hypothesis generates values (text of every kind, huge and negative numbers, dates at the ends of the
calendar, NUL characters, markup and ``javascript:`` URLs) for each form field and query parameter, and
every answer must be below 500. The totals are printed at the end (``pytest -s``).
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.services import environments as environment_service
from tests import factories
from wizard.services import workflow
from wizard.steps import FORM_STEPS

pytestmark = pytest.mark.django_db

TALLY: Counter[str] = Counter()
EXAMPLES = 60

SPECIAL = [
    "",
    "0",
    "-1",
    "1.5",
    "1e9",
    "9" * 40,
    str(2**63),
    str(2**63 - 1),
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a\x00b",
    "\u202e\ufeff",
    "😀" * 50,
    "x" * 5000,
    "https://evil.example/",
    "None",
    "true",
    "[]",
    "{}",
]
values = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=200),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(lambda day: day.isoformat()),
)


def _check(response, what: str) -> None:
    TALLY["requests"] += 1
    if response.status_code >= 500:
        TALLY["500s"] += 1
        pytest.fail(f"{what} answered {response.status_code}")


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["action", "actor", "channel", "date_from", "date_to", "before", "after", "x"]),
        values,
        max_size=5,
    )
)
def test_audit_log_query_strings(params):
    client = _client(factories.administrator(username="auditor"))
    for url in (reverse("audit_log"), reverse("audit_export_csv"), reverse("audit_export_json")):
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
        _check(response, f"GET {url} {params!r}")
    _check(client.post(reverse("audit_log") + "?" + "&".join(f"{k}=1" for k in params)), "verify")


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["q", "status", "page", "archived"]), values, max_size=4))
def test_lists_query_strings(params):
    client = _client(factories.administrator(username="admin"))
    for url in (reverse("wizard:channels"), reverse("environments:list")):
        _check(client.get(url, params), f"GET {url} {params!r}")


@FUZZ
@given(step=st.sampled_from([s.slug for s in FORM_STEPS]), data=st.data())
def test_wizard_step_forms(step, data):
    user = factories.author(username="writer")
    channel = factories.ChannelFactory(owner=user, editor_ids=[user.pk])
    form_class = next(s.form_class for s in FORM_STEPS if s.slug == step)
    names = list(form_class.base_fields)
    for row_set in form_class.row_sets:
        names += [f"{row_set.name}-TOTAL_FORMS"]
        names += [f"{row_set.name}-0-{name}" for name in row_set.form_class.base_fields]
    posted = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=len(names)))
    posted["version"] = data.draw(st.one_of(st.just(str(channel.version)), values))
    posted["nav"] = data.draw(st.sampled_from(["save", "next", "back", "goto:review", "goto:x", ""]))
    if data.draw(st.booleans()):
        posted["row_action"] = data.draw(values)
    client = _client(user)
    url = reverse("wizard:step", args=[channel.pk, step])
    _check(client.post(url, posted), f"POST {step} {posted!r}")
    _check(client.get(url, {"added": data.draw(values)}), f"GET {step}")
    preview = reverse("wizard:preview", args=[channel.pk])
    _check(
        client.post(preview, {**posted, "preview_step": step, "preview_key": data.draw(values)}), "preview"
    )
    frame = reverse("wizard:preview_frame", args=[channel.pk])
    _check(client.get(frame, {"state": data.draw(values), "device": data.draw(values)}), "frame")


@FUZZ
@given(data=st.data())
def test_review_and_workflow_forms(data):
    writer = factories.author(username="writer")
    reviewer = factories.reviewer(username="reviewer")
    channel = factories.ChannelFactory(owner=writer, editor_ids=[writer.pk])
    revision = workflow.submit(channel, writer)
    client = _client(reviewer)
    for name in ("wizard:approve", "wizard:request_changes"):
        posted = {
            "revision": data.draw(st.one_of(st.just(str(revision.pk)), values)),
            "hash": data.draw(st.one_of(st.just(revision.content_hash), values)),
            "comment": data.draw(values),
            "step": data.draw(values),
        }
        _check(client.post(reverse(name, args=[channel.pk]), posted), f"POST {name} {posted!r}")
    compare = {"a": data.draw(values), "b": data.draw(values), "all": data.draw(values)}
    _check(client.get(reverse("wizard:compare", args=[channel.pk]), compare), "compare")
    _check(client.get(reverse("wizard:review", args=[channel.pk]), {"against": data.draw(values)}), "review")
    author = _client(writer)
    _check(
        author.post(reverse("wizard:withdraw", args=[channel.pk]), {"comment": data.draw(values)}), "withdraw"
    )
    _check(author.post(reverse("wizard:submit", args=[channel.pk]), {"comment": data.draw(values)}), "submit")
    _check(author.post(reverse("wizard:new"), {"token": data.draw(values)}), "new")
    _check(
        author.post(reverse("wizard:duplicate", args=[channel.pk]), {"token": data.draw(values)}), "duplicate"
    )
    _check(
        author.post(reverse("wizard:refresh_choices", args=[channel.pk]), {"next": data.draw(values)}),
        "refresh",
    )


@FUZZ
@given(data=st.data())
def test_environment_forms(data, monkeypatch):
    monkeypatch.setattr(
        environment_service,
        "run_connection_test",
        lambda credentials: environment_service.ConnectionResult(ok=False, message="not tried"),
    )
    admin = factories.administrator(username="admin")
    environment = factories.EnvironmentFactory(name=f"Env {uuid.uuid4()}")
    fields = [
        "name",
        "kind",
        "org_url",
        "tenant_id",
        "client_id",
        "authority_host",
        "ca_bundle",
        "client_secret",
    ]
    posted = data.draw(st.fixed_dictionaries({name: values for name in fields}))
    client = _client(admin)
    _check(client.post(reverse("environments:new"), posted), f"POST new environment {posted!r}")
    _check(client.post(reverse("environments:detail", args=[environment.pk]), posted), "POST environment")
    roles = {"q": data.draw(values), "page": data.draw(values), "role": data.draw(values)}
    monkeypatch.setattr("portal.views.roles.checklist", lambda environment, queue: [])
    _check(
        client.get(reverse("environments:checklist", args=[environment.pk]), {"queue": data.draw(values)}),
        "checklist",
    )
    change = {"role": data.draw(values), "user": data.draw(values), "return": data.draw(values)}
    _check(client.post(reverse("environments:roles_change", args=[environment.pk]), change), "roles change")
    del roles


@FUZZ
@given(username=values, password=values, next_url=values)
def test_sign_in_form(username, password, next_url):
    client = Client(raise_request_exception=False, REMOTE_ADDR="10.9.9.9")
    response = client.post(reverse("login"), {"username": username, "password": password, "next": next_url})
    _check(response, f"login {username!r}")


@FUZZ
@given(path=st.one_of(st.sampled_from(["9" * 30, "-1", "0", "x"]), st.integers(0, 2**80).map(str)))
def test_ids_in_paths(path):
    client = _client(factories.administrator(username="admin"))
    for url in (
        f"/channels/{path}/",
        f"/channels/{path}/review/",
        f"/environments/{path}/",
        f"/channels/{path}/steps/details/",
    ):
        _check(client.get(url), f"GET {url}")


def test_zz_totals():
    print(f"\nfuzzing: {TALLY['requests']} requests tried, {TALLY['500s']} answered 500")
    assert TALLY["500s"] == 0
