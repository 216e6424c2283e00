"""Django's model backend with each user's permissions kept in the cache between requests.

Every page asks for permissions; read from the database they cost two joined SELECTs per request.
Here they are read once and kept with the generation number they were read at: any change to a
user's groups or permissions, a group's permissions, or a deleted group or permission bumps the
generation, so every cached entry is dropped at once; an entry also holds for the user's active and
superuser flags only. A request reads the generation and the entry in one round trip. With the
local-memory cache each worker process has its own copy, so a change made in another process reaches
it after at most ``PORTAL_PERMISSIONS_CACHE_SECONDS``; with a shared cache (``PORTAL_REDIS_URL``) at
once.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.prepared import PreparedQuery

_GENERATION_KEY = "portal:permissions:generation"


def _generation() -> int:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        # add() so that two processes starting at once agree on one number.
        cache.add(_GENERATION_KEY, 1, timeout=None)
        generation = cache.get(_GENERATION_KEY, 1)
    return int(generation)


def forget_permissions(**kwargs: Any) -> None:
    """Drop every cached permission set (connected to the signals below)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 2, timeout=None)


@functools.cache
def _users_by_pk() -> PreparedQuery[Any]:
    """Built on first use: the user model is known only once the apps are loaded."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    return PreparedQuery(model, lambda pk: model._default_manager.filter(pk=pk).order_by())


class CachedPermissionsBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of every request, read with SQL compiled once (:mod:`portal.prepared`);
        ``None`` for a user who is gone or inactive, as Django's model backend."""
        user = _users_by_pk().get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _entry(self, user_obj: Any) -> tuple[tuple[int, bool, bool], dict[str, Any], str]:
        """The user's cached permissions, read with the generation in one round trip per request:
        ``(generation, superuser, active)`` they hold for, the sets by kind found so far, the key."""
        found_entry = getattr(user_obj, "_portal_permissions", None)
        if found_entry is None:
            key = f"portal:permissions:{user_obj.pk}"
            found = cache.get_many([_GENERATION_KEY, key])
            generation = found.get(_GENERATION_KEY)
            flags = (
                int(generation) if generation is not None else _generation(),
                bool(user_obj.is_superuser),
                bool(user_obj.is_active),
            )
            stored = found.get(key)
            sets = dict(stored[1]) if stored and stored[0] == flags else {}
            found_entry = user_obj._portal_permissions = (flags, sets, key)
        return found_entry  # type: ignore[no-any-return]

    def _cached(self, user_obj: Any, kind: str, load: Any) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or user_obj.pk is None:
            return set()
        flags, sets, key = self._entry(user_obj)
        if kind not in sets:
            sets[kind] = load(user_obj)
            cache.set(key, (flags, sets), timeout=settings.PORTAL_PERMISSIONS_CACHE_SECONDS)
        return set(sets[kind])

    def get_user_permissions(self, user_obj: AbstractBaseUser | AnonymousUser, obj: Any = None) -> set[str]:
        if obj is not None:
            return set()
        if not hasattr(user_obj, "_user_perm_cache"):
            user_obj._user_perm_cache = self._cached(  # type: ignore[union-attr]
                user_obj,
                "user",
                lambda user: super(CachedPermissionsBackend, self).get_user_permissions(user),
            )
        return user_obj._user_perm_cache  # type: ignore[union-attr]

    def get_group_permissions(self, user_obj: AbstractBaseUser | AnonymousUser, obj: Any = None) -> set[str]:
        if obj is not None:
            return set()
        if not hasattr(user_obj, "_group_perm_cache"):
            user_obj._group_perm_cache = self._cached(  # type: ignore[union-attr]
                user_obj,
                "group",
                lambda user: super(CachedPermissionsBackend, self).get_group_permissions(user),
            )
        return user_obj._group_perm_cache  # type: ignore[union-attr]


def connect_signals() -> None:
    """A user's own flags (active, superuser) are part of the cache key, so saving a user needs no signal."""
    m2m_changed.connect(forget_permissions, sender=Group.permissions.through, dispatch_uid="perm-group")
    from django.contrib.auth import get_user_model

    model = get_user_model()
    for relation in ("groups", "user_permissions"):
        through = getattr(model, relation).through
        m2m_changed.connect(forget_permissions, sender=through, dispatch_uid=f"perm-{relation}")
    # Deleting a group or a permission removes its links without an m2m signal.
    for sender in (Group, Permission):
        post_delete.connect(forget_permissions, sender=sender, dispatch_uid=f"perm-delete-{sender.__name__}")
    post_save.connect(forget_permissions, sender=Permission, dispatch_uid="perm-save-Permission")
