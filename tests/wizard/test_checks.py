"""The wizard's system checks: clean on the real declarations, and each one catches its mistake."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from publishing import mapping
from publishing.mapping import Column
from wizard import checks
from wizard.forms import AppearanceForm
from wizard.forms.base import RowSet


def ids(errors):
    return {error.id for error in errors}


def test_manage_py_check_is_clean():
    call_command("check", "--fail-level", "WARNING")
    assert checks.check_mapping() == [] and checks.check_layouts() == []


def test_a_field_mapped_twice_or_not_at_all_is_E001(monkeypatch):
    handled = {
        **mapping.HANDLED_FIELDS,
        "appearance": {**mapping.HANDLED_FIELDS["appearance"], "title": "twice"},
    }
    monkeypatch.setitem(mapping.HANDLED_FIELDS, "appearance", handled["appearance"])
    assert "wizard.E001" in ids(checks.check_mapping())
    monkeypatch.setitem(mapping.HANDLED_FIELDS, "appearance", {})
    errors = [e for e in checks.check_mapping() if e.id == "wizard.E001"]
    assert any("appearance.domains " in e.msg for e in errors)


def test_a_mapping_condition_other_than_the_layouts_needs_a_reason_E002(monkeypatch):
    columns = (*mapping.WIDGET_FIELDS["appearance"], Column("offline_title", "x", when="proactive_chat"))
    monkeypatch.setitem(mapping.WIDGET_FIELDS, "appearance", columns)
    assert "wizard.E002" in ids(checks.check_mapping())
    with_reason = (
        *mapping.WIDGET_FIELDS["appearance"][:-1],
        Column("offline_title", "x", when="proactive_chat", why="…"),
    )
    monkeypatch.setitem(mapping.WIDGET_FIELDS, "appearance", with_reason)
    assert "wizard.E002" not in ids(checks.check_mapping())


def test_an_unknown_field_in_the_mapping_is_E003(monkeypatch):
    monkeypatch.setitem(mapping.HANDLED_FIELDS, "features", {"window_size": "no column"})
    assert "wizard.E003" in ids(checks.check_mapping())


def test_row_validation_that_does_not_follow_the_layout_is_E004(monkeypatch):
    row_set = AppearanceForm.row_sets[0]
    changed = RowSet(
        row_set.name, row_set.label, row_set.row_label, row_set.form_class, enabled_by="proactive_chat"
    )
    monkeypatch.setattr(AppearanceForm, "row_sets", (changed,))
    assert "wizard.E004" in ids(checks.check_layouts())


@pytest.mark.parametrize("rule", ["nope"])
def test_an_unknown_disabling_rule_is_E005(monkeypatch, rule):
    monkeypatch.setattr(AppearanceForm, "_disabled_fields", {"title": rule}, raising=False)
    assert "wizard.E005" in ids(checks.check_layouts())
