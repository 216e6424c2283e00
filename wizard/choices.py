"""Choice lists that come from the target Dataverse environment.

The wizard asks one provider for languages, workstreams, queues, operating hours, authentication
settings and surveys. ``BuiltinChoices`` answers with what every new org has out of the box; the
environment-backed provider (``wizard.environment_choices``) reads the same lists through the
Dataverse client and caches them. Values are Dataverse ids where the list came from an environment
and stable names otherwise; the publish mapping resolves either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext_lazy as _

Option = tuple[str, str]


@dataclass(frozen=True)
class ChoiceList:
    options: list[Option]
    source: str = "builtin"  # "builtin", "environment" or "cache"
    fetched_at: datetime | None = None
    offline: bool = False
    problem: str = ""

    def label_for(self, value: str) -> str:
        for key, label in self.options:
            if key == value:
                return label
        return value


def one_named(options: Iterable[Option], name: str) -> str:
    """The value of the one option of ``options`` ((value, name) pairs) named ``name``; "" when none or
    several are. Names compare as Dataverse compares them in a ``$filter`` (case does not matter).

    The one rule for binding a choice to another environment's rows by name: a promotion binds a
    revision's references to the target's rows with it, and a draft moved to another environment its
    choices (``wizard.services.rebind``)."""
    wanted = name.casefold()
    found = [value for value, label in options if name and str(label).casefold() == wanted]
    return found[0] if len(found) == 1 else ""


class ChoiceProvider(Protocol):
    def languages(self) -> ChoiceList: ...
    def workstreams(self) -> ChoiceList: ...
    def persistent_workstreams(self) -> ChoiceList: ...
    def queues(self) -> ChoiceList: ...
    def operating_hours(self) -> ChoiceList: ...
    def authentication_settings(self) -> ChoiceList: ...
    def surveys(self) -> ChoiceList: ...


# Locale ids are the values msdyn_oclanguages / msdyn_chatwidgetlanguages carry in msdyn_localeid.
BUILTIN_LANGUAGES: list[Option] = [
    ("1033", gettext_noop("English (United States)")),
    ("1042", gettext_noop("Korean")),
    ("1031", gettext_noop("German")),
    ("1036", gettext_noop("French")),
    ("3082", gettext_noop("Spanish")),
    ("1041", gettext_noop("Japanese")),
]
DEFAULT_LANGUAGE = "1033"
# The widget languages (msdyn_localeid) the portal has its own texts in, as its language codes: a new
# draft's texts and the preview's sample conversation are written in them.
TEXT_LANGUAGES = {"1033": "en", "1042": "ko"}


def text_language(locale_id: str | None) -> str:
    """The portal language code a widget language's texts are written in: its own where the portal has
    texts in it (:data:`TEXT_LANGUAGES`), English otherwise."""
    return TEXT_LANGUAGES.get(locale_id or "", TEXT_LANGUAGES[DEFAULT_LANGUAGE])


DEFAULT_MESSAGING_QUEUE = "Default messaging queue"


@lru_cache(maxsize=16)
def _builtin_languages(language: str | None) -> tuple[Option, ...]:
    """The builtin languages named in ``language`` (the active one, which the labels are translated in):
    a step page asks for them several times, and they change only with the language."""
    return tuple((value, str(_(label))) for value, label in BUILTIN_LANGUAGES)


@lru_cache(maxsize=16)
def _builtin_queues(language: str | None) -> tuple[Option, ...]:
    return ((DEFAULT_MESSAGING_QUEUE, str(_("Default messaging queue"))),)


@dataclass
class BuiltinChoices:
    """The reference rows a new Customer Service org has."""

    note: str = field(default="")

    def languages(self) -> ChoiceList:
        # Names in the reader's language; an environment's own list comes in the org's language.
        return ChoiceList(list(_builtin_languages(get_language())))

    def workstreams(self) -> ChoiceList:
        return ChoiceList([])

    def persistent_workstreams(self) -> ChoiceList:
        return ChoiceList([])

    def queues(self) -> ChoiceList:
        return ChoiceList(list(_builtin_queues(get_language())))

    def operating_hours(self) -> ChoiceList:
        return ChoiceList([])

    def authentication_settings(self) -> ChoiceList:
        return ChoiceList([])

    def surveys(self) -> ChoiceList:
        return ChoiceList([])


CHOICE_LISTS = (
    "languages",
    "workstreams",
    "persistent_workstreams",
    "queues",
    "operating_hours",
    "authentication_settings",
    "surveys",
)


def choices_fingerprint(provider: ChoiceProvider) -> str:
    """Changes whenever any list the provider offers changes (used in cache keys of rendered forms).

    Remembered on the provider for the language it was computed in: a provider lives for one request
    and keeps the lists it read (builtin names are translated, so the language is part of it)."""
    language = get_language()
    if type(provider) is BuiltinChoices:
        return _builtin_fingerprint(language)
    remembered = getattr(provider, "_fingerprint", None)
    if remembered is not None and remembered[0] == language:
        return str(remembered[1])
    fingerprint = _fingerprint_of(provider)
    provider._fingerprint = (language, fingerprint)  # type: ignore[attr-defined]
    return fingerprint


def _fingerprint_of(provider: ChoiceProvider) -> str:
    lists = [getattr(provider, name)() for name in CHOICE_LISTS]
    return repr([(choice_list.options, choice_list.offline) for choice_list in lists])


@lru_cache(maxsize=16)
def _builtin_fingerprint(language: str | None) -> str:
    """The builtin lists change only with the language their names are in."""
    return _fingerprint_of(BuiltinChoices())


def provider_for(environment: object | None) -> ChoiceProvider:
    """The provider for a channel's target environment (builtin lists when there is none)."""
    if environment is None:
        return BuiltinChoices()
    try:
        from wizard.environment_choices import EnvironmentChoices
    except ImportError:
        return BuiltinChoices()
    return EnvironmentChoices(environment)
