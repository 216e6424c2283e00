"""Permissions are read once per user and kept in the cache until a group or permission changes."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import permissions
from tests.factories import author

pytestmark = pytest.mark.django_db


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def _permission_queries(user):
    fresh = _fresh(user)  # a new request loads the user afresh, without the per-object cache
    with CaptureQueriesContext(connection) as queries:
        perms = fresh.get_all_permissions()
    return perms, len(queries)


def test_second_request_reads_permissions_from_the_cache():
    user = author()
    first, first_queries = _permission_queries(user)
    second, second_queries = _permission_queries(user)
    assert permissions.CHANGE_CHANNEL in first and first == second
    assert first_queries >= 1
    assert second_queries == 0


def test_a_request_reads_its_permissions_in_one_round_trip_to_the_cache(monkeypatch):
    """Where the cache is Redis, shared by several processes, each read is a round trip."""
    from django.core.cache import cache

    user = author()
    _permission_queries(user)
    calls, depth = [], [0]

    def counted(name, real):
        def call(*args, **kwargs):
            if not depth[0]:  # the local-memory cache's get_many asks get for each key
                calls.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    fresh = _fresh(user)
    assert fresh.has_perm(permissions.CHANGE_CHANNEL) and fresh.get_all_permissions()
    assert calls == ["get_many"]


def test_removing_a_group_takes_effect_at_once():
    user = author()
    assert _fresh(user).has_perm(permissions.CHANGE_CHANNEL)
    user.groups.clear()
    assert not _fresh(user).has_perm(permissions.CHANGE_CHANNEL)


def test_adding_a_group_and_changing_a_groups_permissions_take_effect_at_once():
    user = author()
    assert not _fresh(user).has_perm(permissions.REVIEW_CHANNEL)
    user.groups.add(Group.objects.get(name=permissions.REVIEWERS))
    assert _fresh(user).has_perm(permissions.REVIEW_CHANNEL)
    reviewers = Group.objects.get(name=permissions.REVIEWERS)
    reviewers.permissions.remove(Permission.objects.get(codename="review_channel"))
    assert not _fresh(user).has_perm(permissions.REVIEW_CHANNEL)


def test_a_direct_permission_and_deactivation_take_effect_at_once():
    user = author()
    assert not _fresh(user).has_perm(permissions.PUBLISH_CHANNEL)
    user.user_permissions.add(Permission.objects.get(codename="publish_channel"))
    assert _fresh(user).has_perm(permissions.PUBLISH_CHANNEL)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)  # no signal at all
    assert not _fresh(user).has_perm(permissions.PUBLISH_CHANNEL)


def test_deleting_a_group_takes_effect_at_once():
    user = author()
    assert _fresh(user).has_perm(permissions.CHANGE_CHANNEL)
    Group.objects.get(name=permissions.AUTHORS).delete()
    assert not _fresh(user).has_perm(permissions.CHANGE_CHANNEL)
