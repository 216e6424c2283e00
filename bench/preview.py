"""Live preview benchmark: keystroke→repaint in Chromium, checks fragment server time against a floor view.

The widget is drawn by the chat components inside the preview's same-origin frame; the change observed
is the first DOM change inside that frame after the keystroke.

Run ``python -m bench.preview``. It makes its own SQLite database in a temporary directory, starts the
portal with ``runserver`` on a free port, drives the system Chromium through Playwright and prints the
figures (no pass/fail). Server time is measured in-process with Django's test client, the same way for
the preview fragment and for the floor view (an authenticated view that renders ``base.html`` only).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, p50, timed_together

KEYSTROKES = 50
SERVER_SAMPLES = 200

# Installed in the page before typing: the time from keydown to the animation frame after the first
# change of the preview (``samples``), the time from keydown to that change itself (``updates``), whether
# the change landed before the first frame after the keystroke (``sameFrame``), and the number of
# requests in flight (XHR send … loadend). Frames are counted with a requestAnimationFrame loop.
INSTRUMENT = """
() => {
  const b = window.__bench = {t0: null, frameAtKey: 0, frames: 0, samples: [], updates: [], sameFrame: 0,
                              inflight: 0, maxInflight: 0};
  const tick = () => { b.frames += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  document.addEventListener('keydown', () => { b.t0 = performance.now(); b.frameAtKey = b.frames; }, true);
  const target = document.querySelector('[data-pv-frame]').contentDocument.getElementById('preview-root');
  new MutationObserver(() => {
    if (b.t0 === null) return;
    const t0 = b.t0; b.t0 = null;
    b.updates.push(performance.now() - t0);
    if (b.frames === b.frameAtKey) b.sameFrame += 1;
    requestAnimationFrame(() => b.samples.push(performance.now() - t0));
  }).observe(target, {subtree: true, childList: true, characterData: true, attributes: true});
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    b.inflight += 1; b.maxInflight = Math.max(b.maxInflight, b.inflight);
    this.addEventListener('loadend', () => { b.inflight -= 1; });
    return send.apply(this, args);
  };
}
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- in-process part: database, users, floor view and server time ---------------------------------


def setup_database(workdir: Path) -> int:
    # Not bench.common.setup_django: the browser signs in through a runserver process, which must be able
    # to check the password hashed here, and the server times have always been taken with DEBUG on.
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DJANGO_DEBUG"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests import factories

    author = factories.author(username="author")
    channel = factories.ChannelFactory(owner=author)
    return channel.pk


def server_times(channel_pk: int) -> dict[str, float]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="author"))
    post = {"preview_step": "appearance", "title": "Chat with Contoso", "theme_color": "19236001"}
    url = f"/channels/{channel_pk}/preview/"
    response = client.post(url, post)
    assert response.status_code == 200, response.status_code
    assert client.get("/bench/floor/").status_code == 200
    samples = timed_together(
        {"preview": lambda: client.post(url, post), "floor": lambda: client.get("/bench/floor/")},
        SERVER_SAMPLES,
    )
    return {
        "preview_p50": p50(samples["preview"]),
        "floor_p50": p50(samples["floor"]),
        "fragment_kb": len(response.content) / 1024,
    }


# --- browser part -------------------------------------------------------------------------------------


def start_server(workdir: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("The portal did not start within 30 seconds.")


def measure_field(page, name: str, keys: list[str], *, settle_ms: int) -> dict[str, float]:
    page.evaluate(
        "() => { const b = window.__bench; b.samples = []; b.updates = []; b.sameFrame = 0;"
        " b.maxInflight = b.inflight; }"
    )
    for key in keys:
        count = page.evaluate("() => window.__bench.samples.length")
        page.keyboard.press(key)
        try:
            page.wait_for_function(f"() => window.__bench.samples.length > {count}", timeout=2000)
        except Exception:  # noqa: BLE001 - a keystroke that changed nothing is simply not counted
            pass
        page.wait_for_timeout(settle_ms)
    page.wait_for_timeout(300)
    result = page.evaluate("() => window.__bench")
    samples = result["samples"]
    return {
        "n": len(samples),
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "update_p95": percentile(result["updates"], 95),
        "same_frame": result["sameFrame"],
        "max_inflight": result["maxInflight"],
    }


def browser_figures(port: int, channel_pk: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, dict[str, float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "author")
        page.fill("#id_password", "changeme")
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{base}/channels/{channel_pk}/steps/appearance/")
        page.wait_for_function(
            "() => { const f = document.querySelector('[data-pv-frame]');"
            " return !!(f && f.contentDocument && f.contentDocument.documentElement.dataset.ready); }"
        )
        page.evaluate(INSTRUMENT)
        letters = [chr(ord("a") + i % 26) for i in range(KEYSTROKES)]

        # The header fields: typed at a brisk pace; the server computes only the checks behind them.
        for field in ("title", "subtitle"):
            page.fill(f"#id_{field}", "")
            page.focus(f"#id_{field}")
            figures[field] = measure_field(page, field, letters, settle_ms=60)
        page.focus('[name="theme_color"]:checked')
        figures["theme_color"] = measure_field(
            page,
            "theme_color",
            ["ArrowDown"] * 11 + ["ArrowUp"] * 11 + ["ArrowDown"] * 11 + ["ArrowUp"] * 11 + ["ArrowDown"] * 6,
            settle_ms=60,
        )
        page.focus('[name="widget_position"]:checked')
        figures["widget_position"] = measure_field(
            page, "widget_position", ["ArrowDown"] * KEYSTROKES, settle_ms=60
        )

        # Other fields the chat-open state shows, and one that needs another state to be seen.
        page.check("#id_anonymize_agent")
        page.fill("#id_generic_agent_name", "")
        page.focus("#id_generic_agent_name")
        figures["generic_agent_name"] = measure_field(page, "generic", letters, settle_ms=80)
        page.click('label[for="pv-state-proactive"]')
        page.focus("#id_proactive_chat")
        figures["proactive_chat"] = measure_field(page, "proactive", ["Space"] * KEYSTROKES, settle_ms=80)
        browser.close()
    return figures


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    workdir = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    try:
        channel_pk = setup_database(workdir)
        server = server_times(channel_pk)
        port = free_port()
        process = start_server(workdir, port)
        try:
            figures = browser_figures(port, channel_pk)
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"Keystroke → repaint in Chromium ({KEYSTROKES} keystrokes per field), ms:")
    print(
        "  (p50/p95: keydown to the frame after the preview changed, so up to one 16.7 ms frame of waiting;"
    )
    print("   update p95: keydown to the change itself; first frame: changes made before the next frame)")
    print(
        f"  {'field':32} {'n':>4} {'p50':>8} {'p95':>8} {'update p95':>11} {'first frame':>12} {'in flight':>10}"
    )
    for field, values in figures.items():
        print(
            f"  {field:32} {values['n']:>4} {values['p50']:>8.1f} {values['p95']:>8.1f} "
            f"{values['update_p95']:>11.1f} {values['same_frame']:>6}/{values['n']:<5} {values['max_inflight']:>10}"
        )
    ratio = server["preview_p50"] / server["floor_p50"]
    print(f"Preview checks fragment server time p50: {server['preview_p50']:.2f} ms")
    print(f"Floor view (base.html only) p50: {server['floor_p50']:.2f} ms")
    print(f"Ratio fragment/floor: {ratio:.2f}x  ({SERVER_SAMPLES} samples each, in-process test client)")
    print(f"Preview checks fragment size: {server['fragment_kb']:.1f} KB")


if __name__ == "__main__":
    main()
