"""Choice lists that come from the target Dataverse environment.

The wizard asks one provider for languages, workstreams, queues, operating hours, authentication
settings and surveys. ``BuiltinChoices`` answers with what every new org has out of the box; the
environment-backed provider (``wizard.environment_choices``) reads the same lists through the
Dataverse client and caches them. Values are Dataverse ids where the list came from an environment
and stable names otherwise; the publish mapping resolves either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

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
    ("1033", "English (United States)"),
    ("1042", "Korean"),
    ("1031", "German"),
    ("1036", "French"),
    ("3082", "Spanish"),
    ("1041", "Japanese"),
]
DEFAULT_LANGUAGE = "1033"
DEFAULT_MESSAGING_QUEUE = "Default messaging queue"


@dataclass
class BuiltinChoices:
    """The reference rows a new Customer Service org has."""

    note: str = field(default="")

    def languages(self) -> ChoiceList:
        return ChoiceList(list(BUILTIN_LANGUAGES))

    def workstreams(self) -> ChoiceList:
        return ChoiceList([])

    def persistent_workstreams(self) -> ChoiceList:
        return ChoiceList([])

    def queues(self) -> ChoiceList:
        return ChoiceList([(DEFAULT_MESSAGING_QUEUE, str(_("Default messaging queue")))])

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
    """Changes whenever any list the provider offers changes (used in cache keys of rendered forms)."""
    lists = [getattr(provider, name)() for name in CHOICE_LISTS]
    return repr([(choice_list.options, choice_list.offline) for choice_list in lists])


def provider_for(environment: object | None) -> ChoiceProvider:
    """The provider for a channel's target environment (builtin lists when there is none)."""
    if environment is None:
        return BuiltinChoices()
    try:
        from wizard.environment_choices import EnvironmentChoices
    except ImportError:
        return BuiltinChoices()
    return EnvironmentChoices(environment)
