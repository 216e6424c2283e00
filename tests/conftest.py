import pytest

from tests.emulator_support import (  # noqa: F401
    emulator,
    emulator_environment,
    entra_settings,
    knobs,
    test_environment,
    test_knobs,
    test_org,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (ids are reused once a test's transaction rolls back)."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()
