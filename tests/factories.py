"""factory-boy factories for the portal's models."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal import permissions
from portal.models import Environment
from wizard.models import Channel
from wizard.steps import default_data


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@contoso.example")
    password = factory.django.Password("changeme")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            permissions.ensure_groups()
            self.groups.set(Group.objects.filter(name__in=extracted))


def author(**kwargs):
    return UserFactory(groups=[permissions.AUTHORS], **kwargs)


def reviewer(**kwargs):
    return UserFactory(groups=[permissions.REVIEWERS], **kwargs)


def publisher(**kwargs):
    return UserFactory(groups=[permissions.PUBLISHERS], **kwargs)


def administrator(**kwargs):
    return UserFactory(groups=[permissions.ADMINISTRATORS], **kwargs)


class EnvironmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Environment

    name = factory.Sequence(lambda n: f"Contoso test {n}")
    org_url = factory.Sequence(lambda n: f"https://contoso{n}.crm.dynamics.com")
    tenant_id = "00000000-0000-0000-0000-0000000000aa"
    client_id = "11111111-1111-1111-1111-111111111111"


def environment_with_lists(name, **lists):
    """An environment whose choice lists read as ``lists`` (kind → [(value, name)], e.g.
    ``operating_hours=[("a-1", "Business hours")]``; a kind not given is empty), as if just read from
    it: they are cached, so nothing is asked of its (unreachable) org."""
    from django.core.cache import cache
    from django.utils import timezone

    from wizard.environment_choices import KINDS, _cache_key

    environment = EnvironmentFactory(name=name)
    for kind in KINDS:
        cache.set(_cache_key(environment.pk, kind), (lists.get(kind, []), timezone.now()))
    return environment


def complete_data(**overrides):
    """Wizard data that passes every step's validation."""
    data = default_data()
    data["details"].update(name="Contoso support chat")
    data["workstream"].update(workstream_name="Contoso chat workstream")
    data["appearance"].update(title="Chat with Contoso", subtitle="We reply within minutes")
    for step, values in overrides.items():
        data[step].update(values)
    return data


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    owner = factory.SubFactory(UserFactory)
    last_editor = factory.SelfAttribute("owner")
    data = factory.LazyFunction(complete_data)
    name = factory.LazyAttribute(lambda c: c.data.get("details", {}).get("name", ""))
    visited_steps = factory.LazyFunction(
        lambda: ["details", "workstream", "appearance", "behaviors", "features", "review"]
    )
    saved_steps = factory.LazyFunction(
        lambda: ["details", "workstream", "appearance", "behaviors", "features"]
    )
    current_step = "review"


def live_in_its_environment(revision, user, **fields):
    """A publish of ``revision`` to its channel's environment that succeeded: the revision live there;
    ``fields`` (``widget_app_id``, ``widget_snippet``...) as the publish wrote them."""
    from django.utils import timezone

    from wizard.models import PublishAttempt

    return PublishAttempt.objects.create(
        channel=revision.channel,
        revision=revision,
        environment=revision.channel.environment,
        requested_by=user,
        state="succeeded",
        finished_at=timezone.now(),
        **fields,
    )


def edit_appearance(channel, user, **values):
    """``user`` saves ``values`` over the Chat widget step at the channel's current version, as a Save
    draft does; returns the channel as saved."""
    from wizard.services import drafts

    result = drafts.save_step(
        channel,
        "appearance",
        {**channel.data["appearance"], **values},
        expected_version=channel.version,
        user=user,
    )
    result.channel.refresh_from_db()
    return result.channel
