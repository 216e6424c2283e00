"""The author's save cycle against a django-formtools wizard of the same six steps, under gunicorn.

    python -m bench.save_cycle [--iters 60] [--peer DIR] [--profile]
    python -m bench.save_cycle --load [--authors 10,50] [--seconds 20] [--workers 4] [--threads 2]
        [--rounds 3] [--redis redis://127.0.0.1:6379/15]

The portal is served as the README's Production section serves it: one gunicorn process with threads,
whose caches its threads share; or, in load mode, also ``--workers`` processes, each with a cache of its
own (sessions are then read from the database), and ``--workers`` processes that share one cache
through Redis (``--redis`` or ``BENCH_REDIS``; that database is emptied first). In load mode the peer
and the portal's several processes are served alike: ``--threads`` threads a process, so that each
keeps its connections alive as a browser's are kept (gunicorn's sync workers close every connection
after one answer: its documentation wants them behind a buffering proxy, which the README's Production
section doesn't put in front of the portal).

Latency mode: the portal (production settings, SQLite) and the formtools peer (``--peer``, copied to
a temporary folder first because it writes beside itself; two sync workers) are served by gunicorn on
loopback and driven over HTTP with the same realistic values, interleaved request by request so that
a busy moment of the machine slows both alike. It prints each figure as a ratio to the peer's (or to
the portal's base-template floor) measured in the same run, the SQL statements per save cycle and the
HTML size of a step page.

Load mode: all on PostgreSQL (``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``; a
throw-away database each), N concurrent authors for a bounded time, each on a draft of their own; the
peer and each way of serving the portal take turns in ``--rounds`` rounds that share the time out.
Prints save cycles per second, p50/p95/p99, errors, the CPU per save cycle of the server (Redis's
apart), of the authors' clients (this process), of PostgreSQL and of the rest of the machine (the
kernel), and lost saves: every acknowledged save of the portal is checked against the database afterwards.
Then the floor: the same authors ask the portal for a page that draws nothing (as many as they can for
one round's time), which is what every request costs before any wizard work: gunicorn, the middleware,
the session and the user, the clients, the kernel. No save cycle can be answered faster than the
floor, so the floor against the peer's save cycles is the most the portal's save cycles could reach.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PEER = ROOT.parent / "shared" / "bench" / "peer_formtools"
PASSWORD = "bench-pass-123"
VERSION = re.compile(rb'name="version" value="(\d+)"')
FORM_STEPS = ("details", "workstream", "appearance", "behaviors", "features")
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/", "HX-Target": "step-page"}

# --- the values both wizards receive -------------------------------------------------------------

QUESTIONS = [
    {
        "name": f"Question_{i}",
        "text": f"Question {i}?",
        "answer_type": "192350000",
        "options": "",
        "required": True,
    }
    for i in range(1, 11)
]
PORTAL_VALUES: dict[str, dict[str, Any]] = {
    "details": {"name": "Contoso web chat", "language": "1033"},
    "workstream": {
        "workstream_mode": "new",
        "workstream_name": "Contoso chat",
        "distribution_mode": "192350000",
        "fallback_queue_mode": "existing",
    },
    "appearance": {
        "title": "Chat with Contoso",
        "subtitle": "We usually reply in minutes",
        "theme_color": "19236001",
        "logo_url": "https://contoso.example/logo.png",
        "agent_display_name": "192350000",
        "widget_position": "192236010",
        "proactive_chat": True,
        "reconnect_enabled": True,
        "reconnect_time_limit": "30",
        "domains_only": True,
        "domains": [{"domain": "contoso.example"}, {"domain": "shop.contoso.example"}],
    },
    "behaviors": {
        "prechat_enabled": True,
        "questions": QUESTIONS,
        "messages": [{"trigger": "192350017", "text": "Hello! How can we help?"}],
        "postchat_enabled": True,
        "survey_provider": "600990001",
        "survey_url": "https://copilotstudio.contoso.example/survey",
        "survey_mode": "192350001",
        "show_wait_time": True,
    },
    "features": {
        "attachments_customers": True,
        "attachments_agents": True,
        "notify_unread_count": True,
        "notify_sound": True,
        "transcript_download": True,
        "calling": "192350002",
        "screen_sharing": True,
        "screen_sharing_provider": "Microsoft Teams",
    },
}
# A text field per step that the load mode writes a marker into, to find lost saves.
MARKER_FIELDS = {
    "details": "name",
    "workstream": "workstream_name",
    "appearance": "title",
    "behaviors": "survey_link_message",
    "features": "email_template",
}


def portal_post_body(slug: str, values: dict[str, Any], version: int, nav: str) -> dict[str, Any]:
    """What a browser posts for ``values`` (in the draft's shape) on step ``slug``."""
    from wizard.steps import get_step

    form_class = get_step(slug).form_class
    assert form_class is not None
    body: dict[str, Any] = {"version": str(version), "nav": nav}
    for name in form_class.base_fields:
        value = values.get(name)
        if value is True:
            body[name] = "on"
        elif value not in (None, False, ""):
            body[name] = str(value)
    for row_set in form_class.row_sets:
        rows = values.get(row_set.name) or []
        body[f"{row_set.name}-TOTAL_FORMS"] = str(len(rows))
        body[f"{row_set.name}-INITIAL_FORMS"] = "0"
        for index, row in enumerate(rows):
            for name, value in row.items():
                if value is True:
                    body[f"{row_set.name}-{index}-{name}"] = "on"
                elif value not in (None, False, ""):
                    body[f"{row_set.name}-{index}-{name}"] = str(value)
    return body


def portal_values() -> dict[str, dict[str, Any]]:
    """The values merged over a new draft's defaults, each step checked valid by its own form."""
    from wizard.choices import provider_for
    from wizard.forms import StepContext
    from wizard.steps import default_data, get_step

    data = default_data()
    for slug, values in PORTAL_VALUES.items():
        data[slug].update(values)
    for slug in FORM_STEPS:
        form_class = get_step(slug).form_class
        assert form_class is not None
        form = form_class(data[slug], choices=provider_for(None), context=StepContext(data=data))
        assert form.is_valid(), (slug, form.errors, [f.errors for r in form.rows.values() for f in r.forms])
    return data


# --- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(
        self, name: str, app: str, cwd: Path, env: dict[str, str], workers: int, threads: int = 1
    ) -> None:
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [
            gunicorn,
            app,
            "-b",
            f"127.0.0.1:{self.port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ]
        command += ["--backlog", "256", "--timeout", "60"]
        if threads > 1:
            command += ["--threads", str(threads)]
        self.process = subprocess.Popen(command, cwd=cwd, env=env)  # noqa: S603
        for _ in range(300):
            try:
                requests.get(self.base + "/accounts/login/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"{name}: gunicorn did not start")
        # Each worker imports the URLconf and compiles templates on its first request: pages asked for
        # at once reach every worker before anything is measured.
        with ThreadPoolExecutor(workers * 2) as pool:
            list(
                pool.map(
                    lambda _: requests.get(self.base + "/accounts/login/", timeout=30), range(workers * 8)
                )
            )

    def cpu_seconds(self) -> float:
        """User + system CPU of the worker processes so far."""
        total = 0.0
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return 0.0
        for pid in children:
            found = process_cpu(Path(f"/proc/{pid}/stat"))
            total += found[1] if found else 0.0
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.get(base + "/accounts/login/")
    response = session.post(
        base + "/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
    )
    assert response.status_code == 302, (base, response.status_code)
    return session


def post(session: requests.Session, url: str, data: dict[str, Any], **headers: str) -> requests.Response:
    data = dict(data, csrfmiddlewaretoken=session.cookies["csrftoken"])
    headers = {"Referer": url, **headers}
    return session.post(url, data=data, headers=headers, allow_redirects=False, timeout=60)


class Peer:
    """The formtools wizard in its own folder and database."""

    def __init__(self, source: Path, folder: Path, database_url: str | None) -> None:
        self.folder = folder / "peer"
        shutil.copytree(
            source, self.folder, ignore=shutil.ignore_patterns("*.sqlite3", "results-*", "__pycache__")
        )
        (self.folder / "peer" / "settings_bench.py").write_text(
            "import os\nimport dj_database_url\nfrom peer.settings import *  # noqa\n"
            "if os.environ.get('PEER_DATABASE_URL'):\n"
            "    DATABASES = {'default': dj_database_url.parse(os.environ['PEER_DATABASE_URL'], conn_max_age=60)}\n"
        )
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peer.settings_bench"}
        if database_url:
            self.env["PEER_DATABASE_URL"] = database_url
        script = (
            "import json, bench; bench.setup_db(); "
            "from django.contrib.auth import get_user_model as g; U = g(); "
            f"[U.objects.filter(username=f'peer{{i}}').exists() or U.objects.create_user(f'peer{{i}}', password='{PASSWORD}') "
            "for i in range(60)]; print(json.dumps(bench.STEP_DATA))"
        )
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(result.stderr)
        import json

        self.step_data: dict[str, dict[str, str]] = json.loads(result.stdout.strip().splitlines()[-1])
        self.steps = list(self.step_data)

    def serve(self, workers: int, threads: int = 1) -> Server:
        return Server("peer", "peer.wsgi:application", self.folder, self.env, workers, threads)

    def payload(self, step: str, marker: str | None = None) -> dict[str, str]:
        values = dict(self.step_data[step])
        if marker and step == "basics":
            values["name"] = marker
        return {"channel_wizard-current_step": step, **{f"{step}-{k}": v for k, v in values.items()}}

    def named_payload(self, step: str) -> dict[str, str]:
        return {
            "named_channel_wizard-current_step": step,
            **{f"{step}-{k}": v for k, v in self.step_data[step].items()},
        }


# --- latency ---------------------------------------------------------------------------------------


class PortalAuthor:
    """One signed-in author on one draft, over HTTP."""

    def __init__(self, base: str, username: str, channel_id: int, values: dict[str, dict[str, Any]]) -> None:
        self.base, self.session, self.values = base, sign_in(base, username), values
        self.channel_id = channel_id
        self.version = self._read_version(self.get(self.url("details")))

    def url(self, slug: str) -> str:
        return f"{self.base}/channels/{self.channel_id}/steps/{slug}/"

    def get(self, url: str) -> requests.Response:
        response = self.session.get(url, timeout=60)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def _read_version(self, response: requests.Response) -> int:
        found = VERSION.search(response.content)
        assert found, response.content[:300]
        return int(found.group(1))

    def save(
        self, slug: str, nav: str = "next", htmx: bool = True, values: dict[str, Any] | None = None
    ) -> bytes:
        """One save cycle: what the author waits for, with or without JavaScript."""
        body = portal_post_body(slug, values or self.values[slug], self.version, nav)
        response = post(self.session, self.url(slug), body, **(HTMX if htmx else {}))
        if htmx and response.status_code == 200:
            page_content = response.content
        else:
            assert response.status_code == 302, (slug, response.status_code, response.content[:500])
            page_content = self.get(self.base + response.headers["Location"]).content
        # The review step has no form; the save that led there bumped the version by one.
        found = VERSION.search(page_content)
        self.version = int(found.group(1)) if found else self.version + 1
        return page_content


def walk_portal(author: PortalAuthor, htmx: bool, own_values: bool = False) -> None:
    """New channel (the button on the channel list posts a fresh token), the first step, five saves with
    Next, and Submit for review. With ``own_values`` every walk types a text of its own on each step,
    so that no rendering is shared with an earlier walk."""
    response = post(author.session, author.base + "/channels/new/", {"token": str(uuid.uuid4())})
    assert response.status_code == 302, response.status_code
    author.channel_id = int(response.headers["Location"].split("/")[2])
    author.version = author._read_version(author.get(author.base + response.headers["Location"]))
    for slug in FORM_STEPS:
        values = None
        if own_values:
            values = dict(author.values[slug], **{MARKER_FIELDS[slug]: f"walk {uuid.uuid4().hex[:12]}"})
        author.save(slug, "next", htmx, values=values)
    response = post(author.session, f"{author.base}/channels/{author.channel_id}/submit/", {})
    assert response.status_code == 302, response.status_code


def walk_peer(session: requests.Session, base: str, peer: Peer) -> None:
    url = base + "/channels/new/"
    assert session.get(url, timeout=60).status_code == 200
    for index, step in enumerate(peer.steps):
        response = post(session, url, peer.payload(step))
        if step == "review":
            assert response.status_code == 302, response.status_code
        else:
            assert f"step {index + 2} of 6".encode() in response.content, (step, response.content[:300])


def latency(peer: Peer, iters: int, profile: bool) -> None:
    from django.contrib.auth import get_user_model

    from bench.common import count_queries, timed_together
    from portal.permissions import AUTHORS, ensure_groups
    from wizard.services import drafts

    ensure_groups()
    values = portal_values()
    user = get_user_model().objects.create_user("bench-author", password=PASSWORD)
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=AUTHORS))
    channel = drafts.create_draft(user)
    portal_server = serve_portal(1)
    try:
        peer_server = peer.serve(2)
    except BaseException:
        portal_server.stop()
        raise
    try:
        author = PortalAuthor(portal_server.base, "bench-author", channel.pk, values)
        for slug in FORM_STEPS:  # every step saved once, so every page shows a complete draft
            author.save(slug, "save", htmx=False)
        peer_session = sign_in(peer_server.base, "bench")
        peer_url = peer_server.base + "/channels/new/"
        peer_session.get(peer_url)
        for step in peer.steps[:2]:  # the wizard stands at the Chat widget step from then on
            post(peer_session, peer_url, peer.payload(step))
        peer_walker = sign_in(peer_server.base, "bench")
        walker = PortalAuthor(portal_server.base, "bench-author", channel.pk, values)

        def peer_post() -> None:
            response = post(peer_session, peer_url, peer.payload("appearance"))
            assert b"step 4 of 6" in response.content, response.content[:300]

        def portal_post_alone() -> None:
            body = portal_post_body("appearance", values["appearance"], author.version, "save")
            response = post(author.session, author.url("appearance"), body)
            assert response.status_code == 302, response.status_code
            author.version += 1
            author.session.cookies.pop("messages", None)  # the page it leads to would show and clear it

        def portal_get(slug: str) -> Callable[[], Any]:
            return lambda: author.get(author.url(slug))

        samples = timed_together(
            {
                "peer floor": lambda: peer_session.get(peer_server.base + "/base/"),
                "floor": lambda: author.get(portal_server.base + "/bench/floor/"),
                "peer POST": peer_post,
                "POST alone": portal_post_alone,
                "first view after a save": portal_get("appearance"),
                "review step": portal_get("review"),
                "save cycle, htmx": lambda: author.save("appearance", "next", htmx=True),
                "save cycle, no JS (POST + GET)": lambda: author.save("appearance", "next", htmx=False),
                "peer walk": lambda: walk_peer(peer_walker, peer_server.base, peer),
                "walk, htmx": lambda: walk_portal(walker, htmx=True),
                "walk, htmx, own values": lambda: walk_portal(walker, htmx=True, own_values=True),
                "walk, no JS": lambda: walk_portal(walker, htmx=False),
            },
            iters,
            warmup=3,
        )
        step_html = len(author.get(author.url("appearance")).content)
        peer_session.get(peer_server.base + "/channels/new-named/?reset=1")
        for step in peer.steps[:2]:
            post(peer_session, f"{peer_server.base}/channels/new-named/{step}/", peer.named_payload(step))
        peer_html = len(peer_session.get(peer_server.base + "/channels/new-named/appearance/").content)
    finally:
        portal_server.stop()
        peer_server.stop()

    from django.test import Client

    client = Client()
    client.force_login(user)
    fresh = type(channel).objects.get(pk=channel.pk)
    url = f"/channels/{channel.pk}/steps/appearance/"
    client.get(url)
    with count_queries() as htmx_queries:
        response = client.post(
            url,
            portal_post_body("appearance", values["appearance"], fresh.version, "next"),
            headers={"HX-Request": "true", "HX-Target": "step-page"},
        )
    if response.status_code == 302:  # a portal without the htmx answer
        with count_queries() as follow_queries:
            client.get(response["Location"])
        htmx_queries[0] += follow_queries[0]
    fresh.refresh_from_db()
    with count_queries() as plain_queries:
        response = client.post(
            url, portal_post_body("appearance", values["appearance"], fresh.version, "next")
        )
        client.get(response["Location"])

    med = {name: statistics.median(values) for name, values in samples.items()}

    def row(label: str, key: str, against: str, target: str) -> tuple[str, str, str, str]:
        return (label, f"{med[key]:.2f} ms", f"{med[key] / med[against]:.2f}x {against}", target)

    rows = [
        row("step POST alone (302)", "POST alone", "peer POST", ""),
        row("save cycle, htmx (what the author waits for)", "save cycle, htmx", "peer POST", "≤ 0.5x"),
        row("save cycle, no JS: POST + GET", "save cycle, no JS (POST + GET)", "peer POST", ""),
        row("six-step walk, htmx", "walk, htmx", "peer walk", "≤ 0.7x"),
        row("six-step walk, htmx, own values each walk", "walk, htmx, own values", "peer walk", ""),
        row("six-step walk, no JS", "walk, no JS", "peer walk", ""),
        row("first view of a step after a save", "first view after a save", "floor", "≤ 2x"),
        row("review step", "review step", "floor", "≤ 2x"),
        row("peer base template", "peer floor", "floor", ""),
    ]
    print(
        f"\n== Save cycle vs formtools peer (gunicorn: the portal as the README serves it, one process with "
        f"{PORTAL_THREADS} threads; the peer 2 sync workers; p50 of {iters}, interleaved) =="
    )
    print("| figure | portal p50 | ratio | target |\n|---|---|---|---|")
    for label, ms, ratio, target in rows:
        print(f"| {label} | {ms} | {ratio} | {target} |")
    print(
        f"| peer: POST {med['peer POST']:.2f} ms, walk {med['peer walk']:.2f} ms; portal floor {med['floor']:.2f} ms | | | |"
    )
    print(f"| SQL statements per save cycle, htmx / no JS | {htmx_queries[0]} / {plain_queries[0]} | | ≤ 8 |")
    print(
        f"| step page HTML (Chat widget) | {step_html / 1024:.1f} KB | {step_html / peer_html:.2f}x peer "
        f"({peer_html / 1024:.1f} KB) | ≤ 2x |"
    )
    if profile:
        profile_save_cycle(client, url, values)


def profile_save_cycle(client: Any, url: str, values: dict[str, dict[str, Any]]) -> None:
    """Save cycles as the load mode drives them: each step in turn saved with a text of its own and
    answered with the next step (url-encoded, as a browser posts), after a round that fills the caches."""
    from urllib.parse import urlencode

    from pyinstrument import Profiler

    from wizard.models import Channel

    channel_id = int(url.split("/")[2])
    profiler = Profiler(interval=0.0002)
    rounds = 8
    for index in range(len(FORM_STEPS) * (rounds + 1)):
        slug = FORM_STEPS[index % len(FORM_STEPS)]
        version = Channel.objects.values_list("version", flat=True).get(pk=channel_id)
        step_values = dict(values[slug], **{MARKER_FIELDS[slug]: f"profiled {index}"})
        body = urlencode(portal_post_body(slug, step_values, version, "next"), doseq=True)
        measured = index >= len(FORM_STEPS)
        if measured:
            profiler.start()
        response = client.post(
            f"/channels/{channel_id}/steps/{slug}/",
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"HX-Request": "true", "HX-Target": "step-page"},
        )
        if measured:
            profiler.stop()
        assert response.status_code == 200, (slug, response.status_code)
    print(
        f"\n== Profile: {len(FORM_STEPS) * rounds} htmx save cycles, each step in turn with a text of its "
        "own, answered with the next step (in-process) =="
    )
    print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=True))


# --- load ------------------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def add(self, ms: float) -> None:
        with self.lock:
            self.latencies.append(ms)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class CpuUse:
    """Where the machine's CPU went while one wizard was driven: its server's worker processes, this
    process (the authors' HTTP clients), PostgreSQL and the rest (the kernel's loopback, others)."""

    def __init__(self) -> None:
        self.server = self.client = self.database = self.machine = 0.0

    def add(self, server: Server, run: Callable[[], Any]) -> None:
        started = (server.cpu_seconds(), time.process_time(), postgres_cpu_seconds(), machine_busy_seconds())
        run()
        self.server += server.cpu_seconds() - started[0]
        self.client += time.process_time() - started[1]
        self.database += postgres_cpu_since(started[2])
        self.machine += machine_busy_seconds() - started[3]

    def per_cycle(self, cycles: int) -> tuple[float, float, float, float]:
        """Milliseconds per save cycle: server, clients, database, rest."""
        n = max(cycles, 1)
        rest = self.machine - self.server - self.client - self.database
        scale = 1000 / n
        return self.server * scale, self.client * scale, self.database * scale, rest * scale


def run_authors(
    count: int, seconds: float, work: Callable[[int, float, Tally], None], tally: Tally | None = None
) -> Tally:
    tally = tally or Tally()
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=work, args=(i, deadline, tally)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


class PortalLoad:
    """One way of serving the portal under load: its server, its authors (each on a new draft of their
    own) and what they did, checked against the database afterwards."""

    def __init__(self, label: str, server: Server, redis_url: str = "") -> None:
        self.label, self.server, self.redis_url = label, server, redis_url
        self.tally, self.cpu, self.redis_cpu, self.lost = Tally(), CpuUse(), 0.0, 0

    def start(self, users: list[Any], values: dict[str, dict[str, Any]]) -> None:
        from wizard.services import drafts

        self.channels = [drafts.create_draft(user) for user in users]
        self.authors = [
            PortalAuthor(self.server.base, user.username, channel.pk, values)
            for user, channel in zip(users, self.channels, strict=True)
        ]
        self.start_versions = [author.version for author in self.authors]
        self.acknowledged: list[dict[str, str]] = [{} for _ in users]
        self.saves = [0] * len(users)
        self.errors_of = [0] * len(users)
        self.values = values

    def work(self, i: int, deadline: float, tally: Tally) -> None:
        author = self.authors[i]
        while time.perf_counter() < deadline:
            n = self.saves[i] + self.errors_of[i]
            slug = FORM_STEPS[n % 5]
            marker = f"a{i} s{n}"
            step_values = dict(self.values[slug], **{MARKER_FIELDS[slug]: marker})
            started = time.perf_counter()
            try:
                author.save(slug, "next", htmx=True, values=step_values)
            except (AssertionError, requests.RequestException) as error:
                tally.error(str(error)[:120])
                author.version = author._read_version(author.get(author.url(slug)))
                self.errors_of[i] += 1
                continue
            tally.add((time.perf_counter() - started) * 1000)
            self.acknowledged[i][slug] = marker
            self.saves[i] += 1

    def run(self, count: int, seconds: float) -> None:
        redis_cpu = redis_cpu_seconds(self.redis_url) if self.redis_url else 0.0
        self.cpu.add(self.server, partial(run_authors, count, seconds, self.work, self.tally))
        if self.redis_url:
            self.redis_cpu += redis_cpu_seconds(self.redis_url) - redis_cpu

    def check(self) -> None:
        """Every acknowledged save must be in the database: the version counts them, the values match."""
        from wizard.models import Channel

        for i, channel in enumerate(self.channels):
            stored = Channel.objects.get(pk=channel.pk)
            if stored.version != self.start_versions[i] + self.saves[i]:
                self.lost += 1
                continue
            for slug, marker in self.acknowledged[i].items():
                if stored.data[slug].get(MARKER_FIELDS[slug]) != marker:
                    self.lost += 1


def load(
    peer: Peer,
    authors_list: list[int],
    seconds: float,
    workers: int,
    rounds: int,
    redis_url: str,
    threads: int = 2,
) -> None:
    """The peer and the portal in each way the README serves it take turns, ``rounds`` times."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.permissions import AUTHORS, ensure_groups

    ensure_groups()
    values = portal_values()
    authors_group = Group.objects.get(name=AUTHORS)
    users = []
    for i in range(max(authors_list)):
        user = get_user_model().objects.create_user(f"author{i}", password=PASSWORD)
        user.groups.add(authors_group)
        users.append(user)
    servers: list[Server] = []
    try:
        peer_server = peer.serve(workers, threads)
        servers.append(peer_server)
        ways = [
            (f"portal, 1 process × {PORTAL_THREADS} threads", 1, ""),
            (f"portal, {workers} processes, each its own cache", workers, ""),
        ]
        if redis_url:
            ways.append((f"portal, {workers} processes + Redis", workers, redis_url))
        portals = []
        for label, processes, url in ways:
            servers.append(serve_portal(processes, url, threads))
            portals.append((label, url, servers[-1]))
        results = []
        for count in authors_list:
            sessions = [sign_in(peer_server.base, f"peer{i}") for i in range(count)]
            url = peer_server.base + "/channels/new/"
            for session in sessions:
                session.get(url)

            peer_steps = [0] * count  # each author's position in the peer's wizard, kept across rounds

            def peer_work(
                i: int,
                deadline: float,
                tally: Tally,
                sessions: Any = sessions,
                url: str = url,
                peer_steps: Any = peer_steps,
            ) -> None:
                session = sessions[i]
                while time.perf_counter() < deadline:
                    n = peer_steps[i]
                    step = peer.steps[n % 5]
                    started = time.perf_counter()
                    try:
                        response = post(session, url, peer.payload(step, f"a{i} s{n}"))
                        if f"step {n % 5 + 2} of 6".encode() not in response.content:
                            tally.error(f"peer {response.status_code}")
                            session.get(url)
                            peer_steps[i] = 0
                            continue
                    except requests.RequestException as error:
                        tally.error(type(error).__name__)
                        continue
                    tally.add((time.perf_counter() - started) * 1000)
                    peer_steps[i] = n + 1

            runs = [PortalLoad(label, server, url) for label, url, server in portals]
            for run in runs:
                run.start(users[:count], values)
            # They take turns in short rounds, so that the machine slowing down or speeding up during
            # the run (it does, by tens of percent on a shared machine) weighs on all alike.
            peer_tally, peer_cpu = Tally(), CpuUse()
            share = seconds / rounds
            for _round in range(rounds):
                peer_cpu.add(peer_server, partial(run_authors, count, share, peer_work, peer_tally))
                for run in runs:
                    run.run(count, share)
            for run in runs:
                run.check()
            # The floor: the same authors asking the portal for a page that draws nothing, as often as
            # they can: what a request costs the server (gunicorn, the middleware, the session and the
            # user), the clients, the database and the kernel before any wizard work.
            floor_run = runs[0] if len(runs) == 1 else runs[1]
            floor_tally, floor_cpu = Tally(), CpuUse()
            work = partial(floor_work, floor_run.server.base + "/bench/floor/bare/", floor_run.authors)
            floor_cpu.add(floor_run.server, partial(run_authors, count, share, work, floor_tally))
            floor = (floor_run.label, floor_tally, floor_cpu)
            results.append((count, peer_tally, peer_cpu, runs, floor))
    finally:
        for server in servers:
            server.stop()

    def q(values: list[float], n: int) -> float:
        return (
            statistics.quantiles(values, n=100, method="inclusive")[n - 1]
            if len(values) > 1
            else float("nan")
        )

    print(
        f"\n== Load: N authors, each on their own draft, {seconds:.0f} s each in {rounds} alternating rounds, "
        f"PostgreSQL; the peer and the portal's several processes: gunicorn {workers} processes × {threads} "
        f"threads =="
    )
    print(
        "| authors | wizard | save cycles/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/cycle: server "
        "| clients | database | rest | lost saves |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for count, peer_tally, peer_cpu, runs, floor in results:
        rows = [("peer", peer_tally, peer_cpu, 0.0, "–", seconds)]
        rows += [(run.label, run.tally, run.cpu, run.redis_cpu, str(run.lost), seconds) for run in runs]
        share = seconds / rounds
        rows.append((f"floor: {floor[0]}, a page that draws nothing", floor[1], floor[2], 0.0, "–", share))
        for name, tally, use, redis_cpu, lost_text, duration in rows:
            n = max(len(tally.latencies), 1)
            server_ms, client, database, rest = use.per_cycle(n)
            redis_ms = redis_cpu * 1000 / n  # counted in the rest of the machine; shown beside the server
            server_text = f"{server_ms:.1f}" + (f" + Redis {redis_ms:.1f}" if redis_cpu else "")
            rest -= redis_ms
            print(
                f"| {count} | {name} | {len(tally.latencies) / duration:.1f} | {q(tally.latencies, 50):.1f} "
                f"| {q(tally.latencies, 95):.1f} | {q(tally.latencies, 99):.1f} | {len(tally.errors)} "
                f"| {server_text} | {client:.1f} | {database:.1f} | {rest:.1f} | {lost_text} |"
            )
        peer_rate = len(peer_tally.latencies) / seconds
        for run in runs:
            ratio = len(run.tally.latencies) / seconds / max(peer_rate, 1e-9)
            print(f"| {count} | {run.label} / peer | {ratio:.2f}x | | | | | | target ≥ 1.5x at 50 |")
        floor_rate = len(floor[1].latencies) / share
        print(
            f"| {count} | floor / peer's save cycles | {floor_rate / max(peer_rate, 1e-9):.2f}x "
            "| | | | | | the most a save cycle could reach |"
        )
        errors = {e for run in runs for e in run.tally.errors} | set(peer_tally.errors) | set(floor[1].errors)
        for text in sorted(errors)[:5]:
            print(f"    error: {text}")


def floor_work(url: str, authors: list[PortalAuthor], i: int, deadline: float, tally: Tally) -> None:
    session = authors[i].session
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=60)
        except requests.RequestException as error:
            tally.error(type(error).__name__)
            continue
        if response.status_code != 200:
            tally.error(f"floor {response.status_code}")
            continue
        tally.add((time.perf_counter() - started) * 1000)


# --- set-up ----------------------------------------------------------------------------------------

_PORTAL_ENV: dict[str, str] = {}


def setup_portal(database_url: str, folder: Path) -> None:
    _PORTAL_ENV.update(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        BENCH_STATIC_ROOT=str(folder / "static"),
        PYTHONPATH=str(ROOT),
    )
    os.environ.update(_PORTAL_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


PORTAL_THREADS = 8


def serve_portal(workers: int, redis_url: str = "", threads: int = 1) -> Server:
    """The portal as the README's Production section runs it: one process with threads; or several
    processes, each with its own memory (sessions then read from the database), or sharing one cache
    through ``redis_url``."""
    env = dict(_PORTAL_ENV, PORTAL_REDIS_URL=redis_url)
    if workers == 1:
        return Server("portal", "portal.wsgi:application", ROOT, env, 1, PORTAL_THREADS)
    return Server("portal", "portal.wsgi:application", ROOT, env, workers, threads)


def shared_cache(url: str) -> str:
    """``url`` emptied for the run, or "" (and why, printed) if it can't be used; "" (``--redis ""``):
    no shared cache, the ways that need one are left out."""
    if not url:
        return ""
    try:
        import redis
    except ImportError:
        print("save_cycle: the redis package is missing (pip install -e '.[dev]').")
        return ""
    try:
        redis.Redis.from_url(url, socket_timeout=5).flushdb()
    except redis.RedisError as error:
        print(f"save_cycle: no Redis at {url} ({error}).")
        return ""
    return url


def process_cpu(stat: Path) -> tuple[str, float] | None:
    """A process's name and user + system CPU so far, from its ``/proc/<pid>/stat``; None if it is gone."""
    try:
        text = stat.read_text()
    except OSError:
        return None
    name, _paren, rest = text.partition(" (")[2].rpartition(")")
    fields = rest.split()
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> dict[str, float]:
    """User + system CPU of each of this machine's PostgreSQL processes so far, by process id (none
    where they can't be read)."""
    found = {stat.parent.name: process_cpu(stat) for stat in Path("/proc").glob("[0-9]*/stat")}
    return {pid: item[1] for pid, item in found.items() if item and item[0].startswith("postgres")}


def postgres_cpu_since(before: dict[str, float]) -> float:
    """CPU PostgreSQL spent since ``before`` (:func:`postgres_cpu_seconds`), summed over its processes
    still running; a connection's process that ended meanwhile takes what it spent with it."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in postgres_cpu_seconds().items())


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent on anything but idling, summed over its cores (``/proc/stat``)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def redis_cpu_seconds(url: str) -> float:
    """User + system CPU of the Redis server so far (its ``INFO cpu``)."""
    import redis

    info = redis.Redis.from_url(url, socket_timeout=5).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def postgres_database(base_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(base_url + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base_url}/{name}"


def drop_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iters", type=int, default=40)
    parser.add_argument("--peer", type=Path, default=Path(os.environ.get("BENCH_PEER", DEFAULT_PEER)))
    parser.add_argument("--profile", action="store_true", help="print a profile of one save cycle")
    parser.add_argument("--load", action="store_true", help="N concurrent authors on PostgreSQL instead")
    parser.add_argument("--authors", default="10,50")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads", type=int, default=2, help="load: threads of each process of the peer and the portal"
    )
    parser.add_argument("--rounds", type=int, default=3, help="load: turns each wizard takes in --seconds")
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15"),
        help='load: the cache the portal\'s processes share (emptied first); "" leaves that way out',
    )
    args = parser.parse_args()
    if not (args.peer / "bench.py").exists():
        print(f"save_cycle: no formtools peer at {args.peer} (--peer DIR or BENCH_PEER); skipped.")
        return
    folder = Path(tempfile.mkdtemp(prefix="studio-save-cycle-"))
    databases: list[str] = []
    pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    try:
        if args.load:
            suffix = uuid.uuid4().hex[:8]
            databases = [f"bench_portal_{suffix}", f"bench_peer_{suffix}"]
            portal_url = postgres_database(pg, databases[0])
            peer_url = postgres_database(pg, databases[1])
            setup_portal(portal_url, folder)
            peer = Peer(args.peer, folder, peer_url)
            authors = [int(n) for n in args.authors.split(",")]
            load(
                peer, authors, args.seconds, args.workers, args.rounds, shared_cache(args.redis), args.threads
            )
        else:
            setup_portal(f"sqlite:///{folder}/portal.sqlite3", folder)
            peer = Peer(args.peer, folder, None)
            latency(peer, args.iters, args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        for name in databases:
            drop_postgres_database(pg, name)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
