"""The second org `make run` starts: the same tables, other ids, some reference rows named differently."""

from __future__ import annotations

import pytest

from emulator.seed import seed
from emulator.server import EmulatorServer, start_emulator


def _names(server: EmulatorServer, logical: str, column: str) -> dict[str, str]:
    from emulator import schema

    table = schema.TABLES[logical]
    return {row[column]: row[table.primary_id] for row in server.store.all(logical)}


@pytest.fixture(scope="module")
def two_orgs(tmp_path_factory):
    default = start_emulator(tmp_path_factory.mktemp("default"), port=0)
    test = start_emulator(tmp_path_factory.mktemp("test"), port=0, profile="test")
    yield default, test
    default.stop()
    test.stop()


def test_the_test_org_has_its_own_ids_and_other_reference_rows(two_orgs):
    default, test = two_orgs
    assert (default.profile, test.profile) == ("default", "test")
    assert default.connection["profile"] == "default" and test.connection["profile"] == "test"
    hours_default = _names(default, "msdyn_operatinghour", "msdyn_name")
    hours_test = _names(test, "msdyn_operatinghour", "msdyn_name")
    assert set(hours_default) == {"Business hours"}
    assert set(hours_test) == {"Business hours", "Around the clock"}
    # The same name, another row.
    assert hours_default["Business hours"] != hours_test["Business hours"]
    queues_default = _names(default, "queue", "name")
    queues_test = _names(test, "queue", "name")
    assert "Test escalation queue" in queues_test and "Test escalation queue" not in queues_default
    assert queues_default["Default messaging queue"] != queues_test["Default messaging queue"]
    auth_default = set(_names(default, "msdyn_authenticationsettings", "msdyn_name"))
    auth_test = set(_names(test, "msdyn_authenticationsettings", "msdyn_name"))
    assert auth_default == {"Contoso portal sign-in"} and auth_test == {"Contoso test portal sign-in"}


def test_a_state_directory_keeps_the_profile_it_was_seeded_with(tmp_path):
    first = start_emulator(tmp_path, port=0, profile="test")
    first.stop()
    again = start_emulator(tmp_path, port=0)  # started later without --profile
    try:
        assert again.profile == "test"
        assert "Around the clock" in _names(again, "msdyn_operatinghour", "msdyn_name")
    finally:
        again.stop()


def test_an_unknown_profile_is_refused(two_orgs):
    default, _ = two_orgs
    with pytest.raises(ValueError, match="unknown emulator profile"):
        seed(default.store, default.identity, "production")
