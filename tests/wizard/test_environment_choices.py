"""Choice lists read from the environment: cached, kept as the last good copy, offline fallback."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from dataverse import TransportError
from tests import factories
from wizard.choices import DEFAULT_MESSAGING_QUEUE, provider_for
from wizard.environment_choices import EnvironmentChoices, clear_cache
from wizard.models import ChoiceSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_lists_come_from_the_environment(emulator_environment, knobs):
    choices = provider_for(emulator_environment)
    assert isinstance(choices, EnvironmentChoices)
    languages = choices.languages()
    assert languages.source == "environment" and not languages.offline
    assert ("1033", "English (United States)") in languages.options or any(
        v == "1033" for v, _ in languages.options
    )
    assert any(label == "Existing chat workstream" for _, label in choices.workstreams().options)
    queues = choices.queues().options
    assert (DEFAULT_MESSAGING_QUEUE, DEFAULT_MESSAGING_QUEUE) in queues
    # Only active Omnichannel messaging queues can be a chat workstream's fallback queue.
    assert "Default entity queue" not in {label for _, label in queues}
    assert [label for _, label in choices.operating_hours().options] == ["Business hours"]
    assert [label for _, label in choices.authentication_settings().options] == ["Contoso portal sign-in"]
    assert choices.surveys().offline is False


def test_lists_are_cached_then_refreshed(emulator_environment, knobs):
    seq = knobs.last_seq()
    EnvironmentChoices(emulator_environment).languages()
    assert len([e for e in knobs.log(seq) if "/api/data/" in e["path"]]) == 1
    seq = knobs.last_seq()
    again = EnvironmentChoices(emulator_environment).languages()
    assert again.source == "cache" and not again.offline
    assert [e for e in knobs.log(seq) if "/api/data/" in e["path"]] == []
    clear_cache(emulator_environment)
    assert EnvironmentChoices(emulator_environment).languages().source == "environment"


class Down:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, environment: Any) -> Any:
        self.calls += 1
        raise TransportError("The connection timed out")


def test_an_unreachable_environment_uses_the_last_good_copy_and_says_so():
    environment = factories.EnvironmentFactory()
    ChoiceSnapshot.objects.create(
        environment=environment,
        kind="queues",
        options=[["q1", "Sales queue"]],
        fetched_at="2026-01-01T00:00Z",
    )
    down = Down()
    choices = EnvironmentChoices(environment, client_factory=down)
    queues = choices.queues()
    assert queues.offline and queues.options == [("q1", "Sales queue")]
    assert "can't be reached" in queues.problem and environment.name in queues.problem
    languages = choices.languages()  # no copy yet: the builtin list, still marked offline
    assert languages.offline and languages.source == "builtin" and languages.options
    # The outage is remembered briefly: a second page doesn't wait on the environment again.
    EnvironmentChoices(environment, client_factory=down).workstreams()
    assert down.calls == 1


def test_a_successful_read_is_kept_as_the_offline_copy(emulator_environment):
    EnvironmentChoices(emulator_environment).operating_hours()
    snapshot = ChoiceSnapshot.objects.get(environment=emulator_environment, kind="operating_hours")
    assert [label for _, label in snapshot.options] == ["Business hours"]
    cache.clear()
    offline = EnvironmentChoices(emulator_environment, client_factory=Down()).operating_hours()
    assert offline.offline and [label for _, label in offline.options] == ["Business hours"]


def test_an_environment_without_a_secret_is_offline_not_an_error():
    environment = factories.EnvironmentFactory()
    languages = EnvironmentChoices(environment).languages()
    assert languages.offline and languages.options


def test_only_active_omnichannel_messaging_queues_are_offered(emulator_environment, knobs):
    import uuid

    suffix = uuid.uuid4().hex[:8]
    messaging = {"msdyn_isomnichannelqueue": True, "msdyn_queuetype": 192350000}
    knobs.client.create("queues", {"name": f"Chat queue {suffix}", **messaging})
    closed = str(knobs.client.create("queues", {"name": f"Closed chat queue {suffix}", **messaging}))
    knobs.client.update("queues", closed, {"statecode": 1, "statuscode": 2})
    knobs.client.create("queues", {"name": f"Mailbox queue {suffix}", "msdyn_isomnichannelqueue": False})
    labels = {label for _, label in provider_for(emulator_environment).queues().options}
    assert f"Chat queue {suffix}" in labels
    assert f"Closed chat queue {suffix}" not in labels
    assert f"Mailbox queue {suffix}" not in labels


def test_a_providers_fingerprint_is_computed_once_per_language():
    from django.utils import translation

    from wizard.choices import BuiltinChoices, choices_fingerprint

    class Listed(BuiltinChoices):  # a provider of its own, as an environment's is
        pass

    provider = Listed()
    read = []
    real = provider.languages
    provider.languages = lambda: read.append(1) or real()  # type: ignore[method-assign]
    with translation.override("en"):
        english = choices_fingerprint(provider)
        assert choices_fingerprint(provider) == english and len(read) == 1
    with translation.override("ko"):
        korean = choices_fingerprint(provider)  # the builtin names are translated: a list of its own
    assert korean != english and len(read) == 2


def test_the_builtin_lists_fingerprint_is_computed_once_per_language_for_every_request(monkeypatch):
    from django.utils import translation

    import wizard.choices as choices_module
    from wizard.choices import BuiltinChoices, choices_fingerprint

    choices_module._builtin_fingerprint.cache_clear()
    computed = []
    real = choices_module._fingerprint_of
    monkeypatch.setattr(
        choices_module, "_fingerprint_of", lambda provider: computed.append(1) or real(provider)
    )
    with translation.override("en"):
        english = choices_fingerprint(BuiltinChoices())
        assert choices_fingerprint(BuiltinChoices()) == english and len(computed) == 1
    with translation.override("ko"):
        korean = choices_fingerprint(BuiltinChoices())
        assert "기본 메시징 큐" in korean  # the queue's name in the reader's language
    assert korean != english and len(computed) == 2
    choices_module._builtin_fingerprint.cache_clear()
