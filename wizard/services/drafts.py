"""Creating, saving, validating, duplicating and deleting channel drafts.

Views call these functions; they hold the rules (optimistic concurrency, editability, what a save
does to an approval) so the rules are the same for every caller and easy to test.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import audit
from portal.caching import renderings
from portal.models import Environment
from portal.prepared import PreparedUpdate
from wizard.choices import TEXT_LANGUAGES, ChoiceProvider, choices_fingerprint, provider_for, text_language
from wizard.forms import StepContext, StepForm
from wizard.forms.layout import is_on
from wizard.forms.rules import RULES, rule_holds
from wizard.models import Channel, ChannelStatus, states
from wizard.models.states import Action
from wizard.preview import CHECKED_STEPS, Preview, build_preview
from wizard.services import merge, rebind
from wizard.steps import FORM_STEP_SLUGS, FORM_STEPS, STEP_SLUGS, Step, default_data, get_step
from wizard.validators import fit_dataverse_length
from wizard.values import DraftValues, StepValues, clean_value_or_empty, empty_value, read


class DraftError(Exception):
    """A save that was refused; ``str()`` says what to do."""


@dataclass(frozen=True)
class ConflictRow:
    """A setting of the conflicting step where the saved version (theirs) differs from the page's."""

    label: str
    mine: str
    theirs: str


class StaleDraftError(DraftError):
    """Someone saved the channel after the page was opened and the save can't be merged by itself.

    With a :class:`~wizard.services.merge.Merge`, only the fields both sides changed differently are
    conflicts; without one (a page that did not say what it was opened with) the whole step is.
    """

    def __init__(self, channel: Channel, result: merge.Merge | None = None, user: User | None = None) -> None:
        self.channel = channel
        self.result = result
        self.rows: list[ConflictRow] = []
        self.saved_by = channel.last_editor.get_username() if channel.last_editor else _("someone")
        self.saved_at: datetime = channel.updated_at
        # The same person saving from two windows or tabs: "both of you" would name one person twice.
        self.own_save = user is not None and channel.last_editor_id == user.pk
        time = timezone.localtime(self.saved_at).strftime("%Y-%m-%d %H:%M")
        if self.own_save:
            message = _(
                "You saved this step in another window or tab at %(time)s, after this page was opened. "
                "What you typed here was not saved. Compare the two versions below, then keep these "
                "values or take the saved ones."
            ) % {"time": time}
        else:
            message = _(
                "This step was changed and saved after you opened this page (the last save was by "
                "%(user)s at %(time)s). Your changes were not saved. Compare the two versions below, "
                "then keep yours or take the saved ones."
            ) % {"user": self.saved_by, "time": time}
        super().__init__(message)

    @property
    def form_values(self) -> dict[str, Any] | None:
        """What the form shows on the conflict page: the merged values, each conflict with mine."""
        return self.result.resolved("mine") if self.result is not None else None

    def compare(self, step: Step, values: dict[str, Any], choices: ChoiceProvider) -> None:
        """Fill :attr:`rows`: the conflicting settings of ``step``, mine (typed) beside the saved ones."""
        mine_values = values if self.result is None else self.result.resolved("mine")
        conflicts = set(self.result.conflicts) if self.result is not None else None
        self.rows = compare_step(self.channel.data, step, mine_values, choices, conflicts)


def compare_step(
    data: dict[str, Any],
    step: Step,
    values: dict[str, Any],
    choices: ChoiceProvider,
    names: set[str] | None = None,
) -> list[ConflictRow]:
    """The settings of ``step`` where ``values`` (typed) differ from ``data`` (the saved draft), as the
    summary shows them; with ``names``, those settings (fields or row sets) instead."""
    from wizard.summary import StepForms, iter_entries

    forms = StepForms(choices)
    pairs = zip(
        iter_entries({**data, step.slug: values}, choices, forms=forms),
        iter_entries(data, choices, forms=forms),
        strict=True,
    )
    return [
        ConflictRow(str(mine.label), _entry_text(mine), _entry_text(theirs))
        for mine, theirs in pairs
        if mine.step.slug == step.slug
        and (_entry_name(mine) in names if names is not None else _entry_text(mine) != _entry_text(theirs))
    ]


def unsaved_changes(
    data: dict[str, Any],
    step: Step,
    values: dict[str, Any],
    base: dict[str, Any] | None,
    choices: ChoiceProvider,
) -> list[ConflictRow]:
    """What a refused save of ``step`` would have changed, beside the saved settings: the settings the
    page changed from ``base`` (the values it was opened with) that differ from ``data``; without a base,
    every setting that differs. Someone else's later change is not listed as the author's."""
    if base is None:
        return compare_step(data, step, values, choices)
    changed = merge.changed_fields(base, values)
    return [row for row in compare_step(data, step, values, choices, changed) if row.mine != row.theirs]


def _entry_name(entry: Any) -> str:
    return str(entry.row_set.name if entry.is_rows else entry.name)


def _entry_text(entry: Any) -> str:
    if not entry.applies:
        return "—"
    if entry.is_rows:
        return "; ".join(entry.displays) or "—"
    return str(entry.display)


class NotEditableError(DraftError):
    pass


# A draft's whole wizard data, as stored JSON, may not grow past this (a full channel is a few KB).
MAX_DRAFT_BYTES = 256 * 1024


class DraftTooLargeError(DraftError):
    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(
            _(
                "Not saved: the draft would hold %(size)s KB, more than the %(limit)s KB a channel may hold. "
                "Shorten the longest texts or remove rows, then save again. What you typed is shown below."
            )
            % {"size": (size + 1023) // 1024, "limit": MAX_DRAFT_BYTES // 1024}
        )


def draft_size(data: dict[str, Any]) -> int:
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode())


@dataclass
class SaveResult:
    channel: Channel
    step: Step
    notices: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Whether the saved step passes its validation (computed only when asked)."""
        return bind_form(self.channel, self.step).is_valid()


def create_draft(user: User, *, token: uuid.UUID | None = None) -> Channel:
    """A new draft owned by ``user``. The same ``token`` twice (a double submit) returns the same draft."""
    if token is not None:
        existing = Channel.objects.filter(creation_token=token).first()
        if existing is not None:
            return existing
    environment = Environment.objects.filter(archived=False).order_by("pk").first()
    data = default_data()
    if environment is not None:
        data["details"]["environment"] = str(environment.pk)
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                owner=user,
                last_editor=user,
                data=data,
                environment=environment,
                creation_token=token,
                visited_steps=[STEP_SLUGS[0]],
            )
    except IntegrityError:
        return Channel.objects.get(creation_token=token)
    audit.record(user, "channel.created", channel=channel)
    return channel


def choices_for(channel: Channel) -> ChoiceProvider:
    return provider_for(channel.environment)


def step_context(channel: Channel, environments: list[tuple[int, str]] | None = None) -> StepContext:
    published = channel.published_revision.data if channel.published_revision_id else None  # type: ignore[union-attr]
    return StepContext(data=channel.data, published_data=published, environments=environments)


def bind_form(
    channel: Channel, step: Step, values: dict[str, Any] | None = None, choices: ChoiceProvider | None = None
) -> StepForm:
    """The step's form bound to ``values``, or to what the draft holds once the step was saved; a step
    never saved shows the draft's starting values without errors."""
    assert step.form_class is not None
    initial = None
    if values is None and step.slug in channel.data:
        if step.slug in channel.saved_steps:
            values = channel.step_data(step.slug)
        else:
            initial = channel.step_data(step.slug)
    return step.form_class(
        values, choices=choices or choices_for(channel), context=step_context(channel), initial=initial
    )


def shown_step_key(channel: Channel, step: Step, choices: ChoiceProvider) -> str:
    """:func:`step_key` of the values ``channel`` holds for ``step``: what the step's page shows."""
    return step_key(channel, step, choices, channel.step_data(step.slug))


def rendered_form_key(channel: Channel, step: Step, shown_key: str, can_edit: bool) -> str:
    """A key for the rendered step form: the same step values, edit rights and inputs from outside the
    step (``shown_key``, :func:`shown_step_key`) always render the same HTML, so it can be cached until
    any of them changes.

    The key holds a digest of the step's values, not the draft's version: a save that stores what the
    page already showed, or a save of another step, keeps the cached rendering. The form's markup names
    no channel, so drafts with the same step content share it: every new draft's first steps render
    once for everyone.
    """
    return f"{shown_key}:{step.slug in channel.saved_steps}:{can_edit}"


STEP_PAGE_PREVIEW_KEY = "pv"  # the prefix of the step page's preview element ids


def step_page_preview(channel: Channel) -> Preview:
    """The preview a step page's panel draws: its frame's address is relative to the step page
    (/channels/<pk>/steps/<slug>/), so that the panel names no channel."""
    return build_preview(channel.data, key=STEP_PAGE_PREVIEW_KEY, frame_url="../../preview/frame/")


def rendered_panel_key(channel: Channel, choices: ChoiceProvider) -> str:
    """A key for a step page's preview panel. The panel draws the frame (which loads the draft itself)
    and the preview's checks, so drafts and steps whose checks are the same share its rendering. The
    checks read only the values of the steps ``wizard.preview.CHECKED_STEPS`` names (not the lists a form
    offers, nor the environments); their fingerprint is remembered under a digest of those values, so the
    preview is built only when one of them changed."""
    values = {slug: channel.step_data(slug) for slug in CHECKED_STEPS}
    remembered = f"wizard_preview_checks:{_digest(values, channel, choices, [], get_language())}"
    fingerprint = renderings.get(remembered)
    if fingerprint is None:
        fingerprint = step_page_preview(channel).fingerprint
        renderings.set(remembered, fingerprint, STEP_CHECK_SECONDS)
    return f"{code_digest()}:{fingerprint}"


@dataclass(frozen=True)
class ReviewKeys:
    """The keys of the review step's renderings, shared by drafts with the same content (their links are
    relative to the page): ``problems`` for its problem list, under every step's check; ``checks``
    (slug → :func:`step_key`) and the ``environments`` they were made with, for :func:`validate_all`;
    :meth:`section` for each step's part of the summary. All hold whether the reader may edit
    (``edit``: the Edit links)."""

    problems: str
    checks: dict[str, str]
    environments: list[tuple[int, str]]
    edit: str

    def section(self, slug: str) -> str:
        """The key of the step's part of the summary: its check's key (what the step's form reads)."""
        return f"{self.checks[slug]}:{self.edit}"


def rendered_review_keys(
    channel: Channel, choices: ChoiceProvider, can_edit: bool, environments: list[tuple[int, str]]
) -> ReviewKeys:
    """The review step's keys (:class:`ReviewKeys`). Each step's key is the key its check is
    remembered under (a missing environment is a problem of the details step, whose key holds the
    environments), so the page's problems are keyed by the five and not by the draft's content again.
    ``environments``: ``Environment.offered()``, which the page's summary also needs; the cross-step
    rules are read once for the five."""
    rules = _rules(channel, choices)
    checks = {
        step.slug: step_key(
            channel, step, choices, checked_values(channel, step), rules=rules, environments=environments
        )
        for step in FORM_STEPS
    }
    edit = "edit" if can_edit else "read"
    problems = hashlib.sha256(repr(("review", edit, sorted(checks.items()))).encode()).hexdigest()
    return ReviewKeys(problems, checks, environments, edit)


def checked_values(channel: Channel, step: Step) -> dict[str, Any]:
    """What the draft holds for ``step`` as its check reads it: a step never saved reads as its form's
    starting values."""
    assert step.form_class is not None
    values = channel.data.get(step.slug)
    return values if isinstance(values, dict) else step.form_class.default_values()


def step_key(
    channel: Channel,
    step: Step,
    choices: ChoiceProvider,
    values: Any,
    extra: tuple[Any, ...] = (),
    *,
    rules: list[tuple[str, bool]] | None = None,
    environments: list[Any] | None = None,
) -> str:
    """A digest of everything a step's form reads: its own ``values``; of the rest of the draft only the
    outcome of each cross-step rule (``wizard.forms.rules``, the one way a step form reads another
    step); the published revision; the choice lists; the environments where the form offers them; and
    the language its labels and messages are in. ``extra`` is added as given; ``rules`` and
    ``environments``, where the caller already read them for this draft."""
    uses_environments = step.form_class is not None and step.form_class.uses_environments
    if not uses_environments:
        environments = []
    elif environments is None:
        environments = Environment.offered()
    if rules is None:
        rules = _rules(channel, choices)
    return _digest(values, channel, choices, environments, step.slug, rules, get_language(), *extra)


def _rules(channel: Channel, choices: ChoiceProvider) -> list[tuple[str, bool]]:
    return sorted((name, rule_holds(name, channel.data, choices)) for name in RULES)


def _digest(
    content: Any, channel: Channel, choices: ChoiceProvider, environments: list[Any], *rest: Any
) -> str:
    """``content`` and what every rendering also depends on: the channel's published revision, the
    choice lists and, where the page offers them, the ``environments``. Names no channel."""
    text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    parts = [
        code_digest(),
        hashlib.sha256(text.encode()).hexdigest(),
        channel.published_revision_id,
        choices_fingerprint(choices),
        environments,
        *rest,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code and templates that check and draw the steps (``wizard/`` and
    ``templates/wizard/``) and of Django's version. Every key a check or a rendering is stored or
    cached under holds it, so after a deployment that changes how a step is checked or drawn, no
    check stored with a draft and no cached rendering of the old code is used."""
    import wizard

    package = Path(wizard.__file__).resolve().parent
    templates = Path(settings.BASE_DIR) / "templates" / "wizard"
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(package.rglob("*.py")) + sorted(templates.rglob("*.html")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _drop_disabled(data: dict[str, Any], choices: ChoiceProvider) -> list[str]:
    """Turn off every control a cross-step rule (the layout's ``DisabledBy``) disables, whatever was
    posted for it; returns the notices for controls that were on. ``data`` is a shallow copy of the
    draft: a step is copied before it changes."""
    notices: list[str] = []
    for step in FORM_STEPS:
        assert step.form_class is not None
        disabled = step.form_class.disabled_fields()
        values = data.get(step.slug)
        if not disabled or not isinstance(values, dict):
            continue
        holding = {rule for rule in set(disabled.values()) if rule_holds(rule, data, choices)}
        names = [name for name, rule in disabled.items() if rule in holding]
        fields = step.form_class.base_fields
        changed = {
            name: empty_value(fields[name]) for name in names if values.get(name) != empty_value(fields[name])
        }
        if not changed:
            continue
        if any(is_on(clean_value_or_empty(fields[name], values.get(name))) for name in changed):
            notices.extend(str(RULES[rule].notice) for rule in sorted(holding))
        data[step.slug] = {**values, **changed}
    return notices


def save_step(
    channel: Channel,
    slug: str,
    values: dict[str, Any],
    *,
    expected_version: int,
    user: User,
    current_step: str | None = None,
    base: dict[str, Any] | None = None,
    resolve: str = "",
    against: int | None = None,
    check: StepCheck | None = None,
) -> SaveResult:
    """Store the values as typed and move the draft's position.

    A save from a stale page (``expected_version`` moved on) is merged field by field when the page
    sent the values it was opened with (``base``): what only one side changed is kept, and only fields
    both changed differently are a conflict. A conflict is refused (:class:`StaleDraftError`) unless
    ``resolve`` ("mine" or "theirs") was chosen against the version that is saved now (``against``).
    ``check``: the :func:`check_step` of ``values`` the caller made, stored with the draft.
    """
    step = get_step(slug)
    if not step.has_form:
        raise DraftError(_("The review step has nothing to save."))
    _check_editable(channel)
    mine = values
    current = channel
    for _attempt in range(MAX_MERGE_ATTEMPTS):
        update, notices, stored = _step_update(current, slug, values, user, current_step)
        if check is not None and check.key:
            kept = current.step_checks if isinstance(current.step_checks, dict) else {}
            update["step_checks"] = {**kept, slug: check.stored()}
        withdraws_approval = "status" in update and current.status == ChannelStatus.APPROVED
        # One UPDATE is atomic by itself. A transaction costs the database two more round trips
        # (BEGIN and COMMIT) on every save, so only a save whose audit entry must land with it opens one.
        with transaction.atomic() if withdraws_approval else contextlib.nullcontext():
            updated = _SAVE.run(
                channel.pk,
                update,
                guards=(expected_version,),
                within=tuple(sorted(states.sources(Action.EDIT))),
            )
            if updated:
                fresh = _saved_copy(current, update, expected_version)
                if withdraws_approval:
                    audit.record(
                        user,
                        "revision.approval_withdrawn",
                        channel=fresh,
                        comment=_("Edited after approval."),
                    )
                return SaveResult(fresh, step, notices)
        fresh = Channel.objects.select_related("last_editor", "environment", "published_revision").get(
            pk=channel.pk
        )
        _check_editable(fresh)
        if merge.same(fresh.data.get(slug), stored):
            # What this save stores is already saved (a double click, or the same change twice).
            return SaveResult(fresh, step)
        if base is None:
            # A page that did not say what it was opened with: only an explicit "keep mine" goes on.
            if resolve != "mine" or against != fresh.version:
                raise StaleDraftError(fresh, user=user)
            values = mine
        else:
            result = merge.three_way(base, mine, fresh.step_data(slug))
            if not result.conflicts:
                values = result.merged
            elif resolve in ("mine", "theirs") and against == fresh.version:
                values = result.resolved(resolve)
            else:
                raise StaleDraftError(fresh, result, user)
        current, expected_version = fresh, fresh.version
    raise StaleDraftError(current, user=user)


# The row update of a save (:func:`_step_update` gives its values): the version it started from, only
# while the channel may be edited, and one version more.
_SAVE = PreparedUpdate(Channel, guards=("version",), within="status", increments=("version",))

# Saves that keep landing between a merge and its write give up after this many tries.
MAX_MERGE_ATTEMPTS = 3


def _check_editable(channel: Channel) -> None:
    if not channel.is_editable:
        raise NotEditableError(
            _("This channel is %(status)s and can't be edited now. Withdraw it from review first.")
            % {"status": channel.status_in_sentence}
        )


def _step_update(
    channel: Channel, slug: str, values: dict[str, Any], user: User, current_step: str | None
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """The row update that stores ``values`` for ``slug`` over ``channel``'s data, its notices, and the
    step's values as stored. A save that changes no value makes no one an editor (nor the last editor),
    so it grants no right to delete or withdraw the channel."""
    data = dict(channel.data)
    data[slug] = values
    choices = choices_for(channel)
    notices: list[str] = []
    if slug == "details":
        # The draft as it was and the details as saved, each read once (binding choices to another
        # environment's lists and turning off disabled controls change neither name nor environment).
        previous, details = read(channel.data), read(data)["details"]
        environment = _environment_from(details["environment"])
        choices, notices = _follow_environment(channel, previous, details, environment, data, choices)
    notices.extend(_drop_disabled(data, choices))
    if slug == "details":
        notices.extend(_texts_follow_language(previous, data, choices))
    stored = data[slug]
    size = draft_size(data)
    if size > MAX_DRAFT_BYTES:
        raise DraftTooLargeError(size)
    changed = merge.data_changed(channel.data, data)
    update: dict[str, Any] = {
        "data": data,
        "updated_at": timezone.now(),
        "visited_steps": _with(channel.visited_steps, slug, current_step),
        "saved_steps": _with(channel.saved_steps, slug),
        "current_step": current_step or slug,
    }
    if changed:
        update["last_editor"] = user
        update["edited_at"] = update["updated_at"]
        update["editor_ids"] = _with(channel.editor_ids, user.pk)
    if slug == "details":
        update["name"] = (details.text("name") or details.refused("name"))[:100]
        update["environment"] = environment
    # Any save, even of unchanged values, takes the channel back to a draft (a published channel is
    # edited again; an approval is withdrawn), as the states table says for an edit.
    if states.after(Action.EDIT, channel.status) != channel.status:
        update["status"] = states.after(Action.EDIT, channel.status)
        if channel.status == ChannelStatus.APPROVED:
            notices.append(
                _("The approval was withdrawn because the channel changed. Submit it for review again.")
            )
    return update, notices, stored


def _follow_environment(
    channel: Channel,
    previous: DraftValues,
    details: StepValues,
    environment: Environment | None,
    data: dict[str, Any],
    choices: ChoiceProvider,
) -> tuple[ChoiceProvider, list[str]]:
    """When ``details`` (the step as saved, naming ``environment``) name another environment than
    ``previous`` (the draft as it was) did: the provider of the new environment's lists, with what
    ``data`` chose from the old one's bound to them by name in ``data``
    (:mod:`wizard.services.rebind`), and the notices naming what to choose again. Otherwise
    ``choices`` (the old environment's) and no notice. While either environment's lists can't be read,
    nothing is bound and the notice says so."""
    if previous["details"].text("environment") == details.text("environment"):
        return choices, []
    target = provider_for(environment)
    if environment is None:
        return target, []  # no environment's rows to bind to: the choices wait for the next one
    for named, provider in ((channel.environment, choices), (environment, target)):
        if named is not None and rebind.unreadable(provider):
            return target, [
                _(
                    "The lists of %(environment)s can't be read right now, so choices such as operating "
                    "hours and queues were kept as they were, not matched by name. When the lists can be "
                    "read again, check each step and choose again where it asks you to."
                )
                % {"environment": named.name}
            ]
    result = rebind.rebind(data, choices, target)
    _store_rebound(data, result.changes)
    return target, _choose_again(result.unbound, environment)


def _store_rebound(data: dict[str, Any], changes: list[tuple[rebind.Choice, str]]) -> None:
    """Store each choice's new value (``changes``: :attr:`rebind.Rebinding.changes`) in ``data``, a
    shallow copy of the draft: a step is copied before it changes."""
    for choice, value in changes:
        setting, slug = choice.setting, choice.setting.step.slug
        assert setting.step.form_class is not None
        stored = data.get(slug)
        values = dict(stored) if isinstance(stored, dict) else setting.step.form_class.default_values()
        if setting.row_set is None:
            values[setting.name] = value
        else:
            rows = list(values.get(setting.row_set.name) or [])
            # The reader's rows are the stored ones that are mappings, in order.
            at = [index for index, row in enumerate(rows) if isinstance(row, dict)][choice.row or 0]
            rows[at] = {**rows[at], setting.name: value}
            values[setting.row_set.name] = rows
        data[slug] = values


def _choose_again(unbound: list[rebind.Choice], environment: Environment) -> list[str]:
    """One notice per step naming its settings in ``unbound`` (in wizard order), to choose again from
    ``environment``'s lists."""
    by_step: dict[str, tuple[Step, list[str]]] = {}
    for choice in unbound:
        step = choice.setting.step
        by_step.setdefault(step.slug, (step, []))[1].append(choice.label)
    return [
        _(
            "Choose again on %(step)s: %(settings)s. What was chosen there before has no single match "
            "by name in %(environment)s."
        )
        % {"step": step.title, "settings": ", ".join(labels), "environment": environment.name}
        for step, labels in by_step.values()
    ]


def _texts_follow_language(previous: DraftValues, data: dict[str, Any], choices: ChoiceProvider) -> list[str]:
    """After a change of the widget's language, the texts a draft was given in the old one and never
    changed (the title "Let's chat", the offline message...) are replaced in ``data`` by the same texts in
    the new one; the notice saying so, or none. Languages the portal has no texts in have English ones."""
    old, new = previous["details"].text("language"), read(data)["details"].text("language")
    if text_language(old) == text_language(new):
        return []
    old_defaults, new_defaults = default_data(old), default_data(new)
    followed = False
    for slug, defaults in old_defaults.items():
        changes = {
            name: new_defaults[slug][name]
            for name, default in defaults.items()
            if isinstance(default, str)
            and default != new_defaults[slug][name]
            and name in previous[slug]
            and previous[slug].cleaned(name) == default
        }
        if changes:
            data[slug] = {**data[slug], **changes}
            followed = True
    if not followed:
        return []
    language = _(choices.languages().label_for(new))
    if text_language(new) != TEXT_LANGUAGES.get(new):
        return [
            _(
                "The widget's texts you had not changed, such as its title, are now in English: the portal "
                "has them in English and Korean only. Write them in %(language)s on the Chat widget and "
                "Behaviors steps."
            )
            % {"language": language}
        ]
    return [
        _("The widget's texts you had not changed, such as its title, are now in %(language)s.")
        % {"language": language}
    ]


def _with(items: list[Any], *new: Any) -> list[Any]:
    """``items`` followed by those of ``new`` it doesn't hold yet (None and "" are skipped)."""
    result = list(items)
    for item in new:
        if item not in (None, "") and item not in result:
            result.append(item)
    return result


def _saved_copy(channel: Channel, update: dict[str, Any], expected_version: int) -> Channel:
    """The channel as the update just stored it, without reading it back."""
    saved = copy.copy(channel)
    for name, value in update.items():
        setattr(saved, name, value)
    saved.version = expected_version + 1
    return saved


def _environment_from(value: Any) -> Environment | None:
    try:
        return Environment.objects.filter(pk=int(value), archived=False).first()
    except (TypeError, ValueError):
        return None


def move_to(channel: Channel, slug: str) -> None:
    """Remember the step the author is on, without touching the data or the version."""
    get_step(slug)
    visited = _with(channel.visited_steps, slug)
    Channel.objects.filter(pk=channel.pk).update(current_step=slug, visited_steps=visited)
    channel.current_step, channel.visited_steps = slug, visited


@dataclass(frozen=True)
class Problem:
    step: Step
    label: str
    message: str


@dataclass(frozen=True)
class StepCheck:
    """A step's values as its form judges them: whether they may be saved with Next, and every
    problem as (field or row label, message). ``key``: the :func:`step_key` of what was checked."""

    valid: bool
    problems: list[tuple[str, str]]
    # The form draws no error anywhere, so it can be drawn without validating it again.
    shows_no_errors: bool = False
    key: str = ""

    def stored(self) -> dict[str, Any]:
        """The check as ``Channel.step_checks`` keeps it for its step."""
        return {
            "key": self.key,
            "valid": self.valid,
            "no_errors": self.shows_no_errors,
            "problems": [list(problem) for problem in self.problems],
        }


STEP_CHECK_SECONDS = 3600


def check_step(
    channel: Channel,
    step: Step,
    values: dict[str, Any],
    choices: ChoiceProvider | None = None,
    key: str | None = None,
    environments: list[tuple[int, str]] | None = None,
) -> StepCheck:
    """Validate ``values`` for ``step`` of ``channel`` through the step's form, remembered under
    :func:`step_key`: the Next that leaves a step checks it and the save stores the check with the
    draft (``Channel.step_checks``), so the review page, the submission and the step's page then
    find it in any worker process; checks of values not saved are remembered in the cache. ``key``
    and ``environments``: the step's key and the portal's environments, where the caller already has
    them."""
    assert step.form_class is not None
    choices = choices or choices_for(channel)
    if environments is None and step.form_class.uses_environments:
        # The key and the form both read the environments where the form offers them: read once.
        environments = Environment.offered()
    if key is None:
        key = step_key(channel, step, choices, values, environments=environments)
    found = _known_check(channel, step, key)
    if found is None:
        form = step.form_class(values, choices=choices, context=step_context(channel, environments))
        found = StepCheck(form.is_valid(), form.problems(), form.shows_no_errors(), key)
        renderings.set(_CHECK_KEY.format(key), found, STEP_CHECK_SECONDS)
    return found


_CHECK_KEY = "wizard_step_check:{}"


def _known_check(channel: Channel, step: Step, key: str) -> StepCheck | None:
    """The check of what ``key`` names: stored with the draft, else remembered in the cache."""
    found: StepCheck | None = _stored_check(channel, step, key) or renderings.get(_CHECK_KEY.format(key))
    return found


def _stored_check(channel: Channel, step: Step, key: str) -> StepCheck | None:
    """The check ``channel`` stores for ``step`` if it is of the values and context ``key`` names."""
    entry = channel.step_checks.get(step.slug) if isinstance(channel.step_checks, dict) else None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    try:
        problems = [(str(label), str(message)) for label, message in entry["problems"]]
        return StepCheck(bool(entry["valid"]), problems, bool(entry["no_errors"]), key)
    except (KeyError, TypeError, ValueError):
        return None  # an entry of another shape: checked again


def form_to_show(channel: Channel, step: Step, choices: ChoiceProvider, shown_key: str) -> StepForm:
    """:func:`bind_form` for a step page: a saved step whose values a check found to show no error
    (stored with the draft or remembered in the cache) is drawn without validating it again, and in
    cached pieces, as is a step never saved. ``shown_key``: :func:`shown_step_key`."""
    form = bind_form(channel, step, choices=choices)
    if form.is_bound:
        found = _known_check(channel, step, shown_key)
        if found is None or not found.shows_no_errors:
            return form
        form.take_as_checked()
    # A form that draws no error is drawn in pieces, each cached under what it draws from outside the
    # step's values (this key) and the values it draws (wizard.forms.rendering).
    form.piece_key = step_key(channel, step, choices, None, ("pieces",))
    return form


def validate_all(
    channel: Channel, choices: ChoiceProvider | None = None, keys: ReviewKeys | None = None
) -> list[Problem]:
    """Every problem of every step, each tied to the step where it can be fixed; ``keys``: the review
    step's, where the caller already made them (each step's check key and the environments)."""
    choices = choices or choices_for(channel)
    problems: list[Problem] = []
    for step in FORM_STEPS:
        values = checked_values(channel, step)
        key, environments = (keys.checks[step.slug], keys.environments) if keys else (None, None)
        for label, message in check_step(channel, step, values, choices, key, environments).problems:
            problems.append(Problem(step, label, message))
    return problems


def reachable_steps(channel: Channel) -> set[str]:
    """Visited steps, the one after the furthest visited, and the review (it lists what is missing)."""
    visited = [slug for slug in channel.visited_steps if slug in STEP_SLUGS]
    reachable = set(visited)
    if visited:
        furthest = max(STEP_SLUGS.index(slug) for slug in visited)
        if furthest + 1 < len(STEP_SLUGS):
            reachable.add(STEP_SLUGS[furthest + 1])
    reachable.update({STEP_SLUGS[0], STEP_SLUGS[-1]})
    return reachable


def content_provenance(channel: Channel) -> set[int]:
    """Everyone who wrote or edited any part of ``channel``'s draft: its owner, its editors, and the
    authors and editors of every revision it holds (the draft's content came from them)."""
    from wizard.services.workflow import involved_user_ids

    people = {channel.owner_id, *_user_ids(channel.editor_ids)}
    if channel.last_editor_id:
        people.add(channel.last_editor_id)
    for revision in channel.revisions.only("created_by_id", "editor_ids"):
        people |= involved_user_ids(revision)
    return people


def _user_ids(values: list[Any]) -> set[int]:
    return {int(value) for value in values if str(value).isdigit()}


def duplicate(channel: Channel, user: User, *, token: uuid.UUID | None = None) -> Channel:
    """A new draft holding ``channel``'s values. The copy keeps who wrote them (none of them may approve
    it); the same ``token`` twice (a double click) returns the same copy."""
    if token is not None:
        existing = Channel.objects.filter(creation_token=token, owner=user).first()
        if existing is not None:
            return existing
    data = copy.deepcopy(channel.data)
    details = data.setdefault("details", {})
    values = read(data)
    base = values["details"].text("name") or channel.display_name
    details["name"] = fit_dataverse_length(_("Copy of %(name)s") % {"name": base}, 100)
    # A workstream or queue the channel creates gets a name of its own too: publishing both channels
    # must not create two rows with the same name.
    workstream = data.setdefault("workstream", {})
    for name_field in ("workstream_name", "fallback_queue_name"):
        if name := values["workstream"].text(name_field):
            workstream[name_field] = fit_dataverse_length(_("Copy of %(name)s") % {"name": name}, 100)
    editors = sorted(content_provenance(channel) | {user.pk})
    try:
        with transaction.atomic():
            copy_channel = Channel.objects.create(
                owner=user,
                last_editor=user,
                data=data,
                name=details["name"],
                environment=channel.environment,
                editor_ids=editors,
                creation_token=token,
                visited_steps=list(STEP_SLUGS),
                saved_steps=list(FORM_STEP_SLUGS),
                current_step="review",
            )
    except IntegrityError:
        return Channel.objects.get(creation_token=token)
    audit.record(
        user,
        "channel.duplicated",
        channel=copy_channel,
        details={"source_channel": channel.pk, "editors": editors},
    )
    return copy_channel


def delete_refusal(channel: Channel, user: User) -> str | None:
    """Why ``user`` may not delete ``channel`` (``None`` if they may). Deleting follows the rule of
    withdrawing: a channel in review or approved is withdrawn first, and only its owner or an editor
    may do it."""
    published = getattr(channel, "succeeded_publish", None)  # annotated by lists, to spare a query a row
    if published is None:
        published = channel.publish_attempts.filter(state="succeeded").exists()
    if channel.published_revision_id or published:
        return _(
            "This channel was published, so it can't be deleted here. Remove it in the "
            "environment first, or keep it."
        )
    if channel.status == ChannelStatus.PUBLISHING:
        return _(
            "This channel is being published and can't be deleted now. Wait until the publish "
            "has finished, then try again."
        )
    if states.allowed(Action.WITHDRAW, channel.status):
        return _("This channel is in review. Withdraw it from review first, then delete it.")
    if not states.allowed(Action.DELETE, channel.status):
        return _(
            "This channel is approved. Its approval has to be withdrawn first (edit the draft or restore "
            "a revision), then it can be deleted."
        )
    if user.pk != channel.owner_id and user.pk not in _user_ids(channel.editor_ids) | {
        channel.last_editor_id
    }:
        return _(
            "Only the channel's owner (%(owner)s) or someone who changed its content can delete it. "
            "Ask the owner to delete it."
        ) % {"owner": channel.owner.get_username()}
    return None


def delete_draft(channel: Channel, user: User) -> None:
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        refusal = delete_refusal(locked, user)
        if refusal is None:
            audit.record(
                user,
                "channel.deleted",
                channel=locked,
                details={"channel_id": locked.pk, "name": locked.display_name},
            )
            locked.delete()
            channel.pk = None
            return
    audit.record(user, "channel.delete_refused", channel=channel, comment=refusal)
    raise DraftError(refusal)
