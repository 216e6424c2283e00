"""The field-by-field diff between two snapshots."""

from __future__ import annotations

import pytest

from tests.factories import complete_data
from wizard.services import diff as diffs

pytestmark = pytest.mark.django_db


def _by_step(result):
    return {step_diff.step.slug: step_diff for step_diff in result.steps}


def test_identical_data_has_no_changes():
    data = complete_data()
    result = diffs.diff(data, data)
    assert not result.has_changes
    assert all(not step.entries for step in result.steps)
    assert result.unchanged_count > 10


def test_scalar_change_uses_registry_labels_and_display_values():
    old = complete_data()
    new = complete_data(appearance={"title": "Talk to us", "position": "left"})
    result = diffs.diff(old, new)
    appearance = _by_step(result)["appearance"]
    assert str(appearance.step.title) == "Chat widget"
    changes = {entry.label: (entry.old, entry.new) for entry in appearance.entries}
    assert changes["Title"] == ("Chat with Contoso", "Talk to us")
    assert result.changed_count == len(appearance.entries)
    # unchanged fields are hidden by default and counted
    assert appearance.hidden > 0
    assert all(entry.changed for entry in appearance.entries)


def test_show_unchanged_lists_every_field():
    data = complete_data()
    result = diffs.diff(data, data, show_unchanged=True)
    assert sum(len(step.entries) for step in result.steps) == result.unchanged_count


def test_boolean_fields_display_on_off():
    old = complete_data(features={"screen_sharing": False})
    new = complete_data(features={"screen_sharing": True})
    entries = {e.name: e for e in _by_step(diffs.diff(old, new))["features"].entries}
    assert (entries["screen_sharing"].old, entries["screen_sharing"].new) == ("Off", "On")


def test_never_published_compares_against_nothing():
    result = diffs.diff(None, complete_data())
    details = _by_step(result)["details"]
    name = next(entry for entry in details.entries if entry.name == "name")
    assert (name.old, name.new) == ("—", "Contoso support chat")


def _domains(*names):
    return [{"domain": name} for name in names]


@pytest.fixture
def domain_field():
    from wizard.steps import get_step

    row_set = next(rs for rs in get_step("appearance").form_class.row_sets)
    return row_set


def test_row_lists_diffed_row_by_row(domain_field):
    name = domain_field.name
    field = domain_field.field_names()[0]
    old = complete_data(
        appearance={
            "domains_only": True,
            name: [{field: "a.example"}, {field: "b.example"}, {field: "c.example"}],
        }
    )
    new = complete_data(
        appearance={
            "domains_only": True,
            name: [{field: "a.example"}, {field: "b2.example"}, {field: "d.example"}, {field: "e.example"}],
        }
    )
    result = diffs.diff(old, new)
    rows_change = next(e for e in _by_step(result)["appearance"].entries if e.is_rows)
    kinds = [row.kind for row in rows_change.rows]
    assert kinds == ["unchanged", "changed", "changed", "added"]
    assert rows_change.added == 1 and rows_change.modified == 2 and rows_change.removed == 0
    assert "b.example" in rows_change.rows[1].old and "b2.example" in rows_change.rows[1].new


def test_removed_rows():
    old_rows = [{"trigger": "t1", "text": "Hello"}, {"trigger": "t2", "text": "Bye"}]
    new_rows = [{"trigger": "t2", "text": "Bye"}]
    changes = diffs.diff_rows(old_rows, new_rows, ["Hello", "Bye"], ["Bye"], ["trigger", "text"])
    assert [(c.kind, c.old, c.new) for c in changes] == [
        ("removed", "Hello", ""),
        ("unchanged", "Bye", "Bye"),
    ]


def test_reordered_rows_show_as_moves():
    rows = [{"name": "a"}, {"name": "b"}]
    changes = diffs.diff_rows(rows, list(reversed(rows)), ["a", "b"], ["b", "a"], ["name"])
    assert {c.kind for c in changes} != {"unchanged"}


def test_labels_and_display_values_follow_the_active_language():
    from django.utils import translation

    old = complete_data(features={"screen_sharing": False}, appearance={"title": "Hi"})
    new = complete_data(features={"screen_sharing": True}, appearance={"title": "Hello"})
    for language, on, title in (("en", "On", "Title"), ("ko", "켜짐", "직함"), ("en", "On", "Title")):
        with translation.override(language):
            steps = _by_step(diffs.diff(old, new))
            features = {e.name: e for e in steps["features"].entries}
            appearance = {e.name: e for e in steps["appearance"].entries}
            assert features["screen_sharing"].new == on
            assert appearance["title"].label == title
            assert str(steps["appearance"].step.title) == ("채팅 위젯" if language == "ko" else "Chat widget")


def test_choice_labels_come_from_the_provider_of_each_call():
    from dataclasses import dataclass

    from wizard.choices import BuiltinChoices, ChoiceList

    @dataclass
    class Surveys(BuiltinChoices):
        survey_name: str = ""

        def surveys(self) -> ChoiceList:
            return ChoiceList([("s1", self.survey_name)])

    old = complete_data(behaviors={"postchat_enabled": True, "survey": ""})
    new = complete_data(behaviors={"postchat_enabled": True, "survey": "s1"})
    for name in ("Satisfaction", "Feedback"):
        entries = {
            e.name: e for e in _by_step(diffs.diff(old, new, Surveys(survey_name=name)))["behaviors"].entries
        }
        assert entries["survey"].new == name


def test_only_choice_fields_declared_without_choices_take_them_from_the_provider():
    """The diff reads declared choice labels once per class; ``setup_choices`` must leave those alone."""
    from wizard.choices import BuiltinChoices
    from wizard.steps import FORM_STEPS

    def labels(form_field):
        return [(str(key), str(label)) for key, label in form_field.choices]

    for step in FORM_STEPS:
        form = step.form_class(choices=BuiltinChoices())
        for name, declared in step.form_class.base_fields.items():
            if hasattr(declared, "choices") and list(declared.choices):
                assert labels(form.fields[name]) == labels(declared), (step.slug, name)


def test_a_field_that_applies_in_neither_revision_is_neither_listed_nor_counted():
    old = complete_data(features={"screen_sharing": False, "screen_sharing_provider": ""})
    new = complete_data(features={"screen_sharing": False, "screen_sharing_provider": ""})
    result = diffs.diff(old, new, show_unchanged=True)
    names = {entry.name for step in result.steps for entry in step.entries}
    assert "screen_sharing" in names  # the toggle itself is a field that applies
    assert "screen_sharing_provider" not in names
    assert sum(len(step.entries) for step in result.steps) == result.unchanged_count
    hidden = diffs.diff(old, new)
    assert sum(step.hidden for step in hidden.steps) == result.unchanged_count


def test_a_field_that_applies_in_one_revision_is_still_compared():
    old = complete_data(features={"screen_sharing": False, "screen_sharing_provider": ""})
    new = complete_data(features={"screen_sharing": True, "screen_sharing_provider": "Contoso Share"})
    entries = {e.name: e for e in _by_step(diffs.diff(old, new))["features"].entries}
    assert entries["screen_sharing_provider"].new == "Contoso Share"


def test_against_never_published_every_setting_is_new_whatever_the_readers_language():
    from django.utils import translation

    data = complete_data()
    counts = {}
    for language in ("en", "ko"):
        with translation.override(language):
            result = diffs.diff(None, data)
        changes = [entry for step in result.steps for entry in step.entries]
        assert changes and all(
            entry.old == "—" if not entry.is_rows else all(row.kind == diffs.ADDED for row in entry.rows)
            for entry in changes
        )
        counts[language] = (result.changed_count, result.unchanged_count)
    # The starting values of a new draft (some in the reader's language) are not "before".
    assert counts["en"] == counts["ko"]
