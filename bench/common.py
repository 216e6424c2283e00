"""Shared set-up for the benchmarks: a throw-away database, a floor view, timing and query counting.

Every figure is printed next to the floor measured the same way in the same run, so the ratios mean
the same on a fast laptop and on a busy CI machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_SETUP_DONE = False


def setup_django(database_dir: str | None = None) -> None:
    """Point the portal at a fresh SQLite database in a temporary folder, then migrate it."""
    global _SETUP_DONE
    if _SETUP_DONE:
        return
    sys.path.insert(0, str(ROOT))
    folder = database_dir or tempfile.mkdtemp(prefix="studio-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _SETUP_DONE = True


def timed(function: Callable[[], Any], repeat: int, warmup: int = 3) -> list[float]:
    """Milliseconds of each call, after ``warmup`` calls that are not counted."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def timed_together(
    functions: dict[str, Callable[[], Any]], repeat: int, warmup: int = 3
) -> dict[str, list[float]]:
    """Like :func:`timed` for several functions, taking their samples in turn so that a busy moment of
    the machine slows all of them alike instead of skewing one ratio."""
    for function in functions.values():
        for _ in range(warmup):
            function()
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


@contextmanager
def count_queries() -> Iterator[list[int]]:
    """``with count_queries() as n: ...`` then ``n[0]`` is the number of SQL statements run inside
    (transaction control such as BEGIN, COMMIT and SAVEPOINT is not counted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = [0]
    with CaptureQueriesContext(connection) as captured:
        yield result
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    result[0] = sum(1 for query in captured.captured_queries if not query["sql"].upper().startswith(control))


def signed_in_client(username: str, groups: list[str]) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from portal.permissions import ensure_groups

    ensure_groups()
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.set(Group.objects.filter(name__in=groups))
    client = Client()
    client.force_login(user)
    return client, user


def floor_samples(client: Any, repeat: int) -> list[float]:
    """The floor: an authenticated request that renders only the base template."""
    return timed(lambda: client.get("/bench/floor/"), repeat)


def web_api_requests(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Dataverse Web API requests in an emulator request log, without token and discovery requests."""
    return [entry for entry in log if "/api/data/" in entry["path"]]


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n== {title} ==")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
