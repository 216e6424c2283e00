"""Three-way merge of one step's values after a stale save.

A step form carries the values it was opened with (the base), signed so the server can trust them.
When someone else saved meanwhile, each field is decided on its own: changed only by me → mine,
changed only by them → theirs, changed by both to different values → a conflict the user resolves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing

_SALT = "wizard.step-base"
# The base travels in the page, so a draft step's size limit also bounds the token.
MAX_TOKEN_CHARS = 1024 * 1024


def _normal(value: Any) -> str:
    """One spelling per value: a missing value and an empty text are the same."""
    if value is None:
        value = ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def same(first: Any, second: Any) -> bool:
    return first is second or _normal(first) == _normal(second)


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    """The names whose value differs between two versions of a step."""
    return {name for name in set(old) | set(new) if not same(old.get(name), new.get(name))}


def data_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether any step's values differ between two drafts' data."""
    for slug in set(old) | set(new):
        before, after = old.get(slug), new.get(slug)
        if before is after:  # a step the save did not touch
            continue
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            if changed_fields(before, after):
                return True
        elif not same(before, after):
            return True
    return False


def sign_base(channel_pk: int, slug: str, values: Mapping[str, Any]) -> str:
    """A token holding the step's values as the page showed them, bound to this channel and step."""
    return signing.dumps({"c": channel_pk, "s": slug, "v": dict(values)}, salt=_SALT, compress=True)


def unsign_base(token: str, channel_pk: int, slug: str) -> dict[str, Any] | None:
    """The values a token holds, or ``None`` when it is missing, forged or for another step."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("c") != channel_pk or payload.get("s") != slug:
        return None
    values = payload.get("v")
    return values if isinstance(values, dict) else None


@dataclass(frozen=True)
class Merge:
    """The outcome of merging ``mine`` and ``theirs`` over ``base``."""

    mine: dict[str, Any]
    theirs: dict[str, Any]
    merged: dict[str, Any]  # every field that is not a conflict, decided
    conflicts: tuple[str, ...]  # fields both changed, to different values

    def resolved(self, keep: str) -> dict[str, Any]:
        """The merged values with each conflict taken from ``keep`` ("mine" or "theirs")."""
        source = self.mine if keep == "mine" else self.theirs
        return {**self.merged, **{name: source.get(name) for name in self.conflicts}}


def three_way(base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> Merge:
    names: Iterable[str] = dict.fromkeys([*theirs, *mine])  # keeps the form's order, without repeats
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for name in names:
        ours, their, original = mine.get(name), theirs.get(name), base.get(name)
        if same(ours, their) or same(ours, original):
            merged[name] = their if name in theirs else ours
        elif same(their, original):
            merged[name] = ours
        else:
            merged[name] = their
            conflicts.append(name)
    return Merge(dict(mine), dict(theirs), merged, tuple(conflicts))
