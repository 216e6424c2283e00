"""Promotion to another environment through the binding map (two emulator orgs: default and test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portal.models import AuditEntry
from publishing import mapping
from publishing.models import BindingChoice
from publishing.services import promote
from tests import factories
from tests.emulator_support import Knobs, unique_environment_pk
from tests.publishing.helpers import FULL, approved_channel
from wizard.models import ChannelStatus, PublishAttempt

pytestmark = pytest.mark.django_db

WRITES = {"POST", "PATCH", "PUT", "DELETE"}


@pytest.fixture(scope="session")
def test_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    emulator_module = pytest.importorskip("emulator")
    server = emulator_module.start_emulator(tmp_path_factory.mktemp("emulator-test"), port=0, profile="test")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def test_knobs(test_org: Any) -> Knobs:
    return Knobs(test_org)


@pytest.fixture
def test_environment(db: Any, test_org: Any, test_knobs: Knobs) -> Any:
    from portal.services.environments import register_emulator

    test_knobs.clear()
    return unique_environment_pk(register_emulator(dict(test_org.connection), name="Local Dataverse (test)"))


def writes(knobs: Knobs, after: int) -> list[dict[str, Any]]:
    """Requests that change rows: POSTs other than token and read $batch requests are checked by body."""
    found = []
    for entry in knobs.log(after):
        method, path = str(entry.get("method", "")).upper(), str(entry.get("path", ""))
        if method in WRITES and "token" not in path and "_emulator" not in path:
            if path.endswith("$batch") and not entry.get("writes", True):
                continue
            found.append(entry)
    return found


def test_unresolved_binding_blocks_and_writes_nothing(emulator_environment, test_environment, test_knobs):
    channel = approved_channel(emulator_environment, **FULL)
    seq = test_knobs.last_seq()
    with pytest.raises(promote.PromotionBlocked) as blocked:
        promote.request_promotion(channel, test_environment, factories.publisher())
    unresolved = {item.slot: item for item in blocked.value.unresolved}
    # "Contoso portal sign-in" is named "Contoso test portal sign-in" in the test org.
    assert set(unresolved) == {"authentication_settings"}
    assert "Contoso test portal sign-in" in [name for _id, name in unresolved["authentication_settings"].candidates]
    log = test_knobs.log(seq)
    assert log, "the promotion read the target"
    assert all(str(entry["method"]).upper() == "GET" for entry in log if "token" not in str(entry["path"])), log
    assert not PublishAttempt.objects.filter(channel=channel).exists()


def test_promotion_binds_by_name_and_remembered_choice(emulator_environment, test_environment, test_knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    user = factories.publisher()
    source_before = channel.status
    with pytest.raises(promote.PromotionBlocked) as blocked:
        promote.request_promotion(channel, test_environment, user)
    auth = blocked.value.unresolved[0]
    pick = next(row_id for row_id, name in auth.candidates if name == "Contoso test portal sign-in")
    revision = promote.revision_to_promote(channel)
    bound = promote.bindings(revision, emulator_environment, test_environment)
    promote.remember(emulator_environment, test_environment, bound, {"authentication_settings": pick}, user)
    assert BindingChoice.objects.get(slot="authentication_settings").row_name == "Contoso test portal sign-in"

    attempt = promote.request_promotion(channel, test_environment, user)
    assert attempt.state == "succeeded", (attempt.error_message, attempt.failed_operation)
    assert attempt.environment_id == test_environment.pk
    widget = test_knobs.client.retrieve(
        "msdyn_livechatconfigs", mapping.widget_id(channel.pk, test_environment.pk)
    )
    assert widget["msdyn_widgettitle"] == "Chat with Contoso"
    hours = next(
        iter(test_knobs.client.query("msdyn_operatinghours", filter="msdyn_name eq 'Business hours'"))
    )
    assert widget["_msdyn_operatinghourid_value"] == hours["msdyn_operatinghourid"]
    assert widget["_msdyn_authsettingsid_value"].lower() == pick.lower()
    channel.refresh_from_db()
    assert channel.status == source_before == ChannelStatus.APPROVED  # its own environment is untouched
    assert AuditEntry.objects.filter(action="promotion.requested", channel=channel).exists()
    assert AuditEntry.objects.filter(action="publish.succeeded", environment=test_environment).exists()

    # Repeatable: promoting again writes nothing new.
    seq = test_knobs.last_seq()
    again = promote.request_promotion(channel, test_environment, user)
    assert again.state == "succeeded"
    assert again.result["upserts"] == 0 and again.result["deletes"] == 0


def test_promotion_needs_publisher(emulator_environment, test_environment):
    channel = approved_channel(emulator_environment, **FULL)
    with pytest.raises(Exception) as denied:
        promote.request_promotion(channel, test_environment, factories.author())
    assert type(denied.value).__name__ == "PermissionDenied"


def test_promotion_to_own_environment_refused(emulator_environment):
    channel = approved_channel(emulator_environment, **FULL)
    with pytest.raises(promote.PromotionError):
        promote.request_promotion(channel, emulator_environment, factories.publisher())
