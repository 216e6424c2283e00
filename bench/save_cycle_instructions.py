"""Server work per save cycle, counted in CPU instructions, against the formtools peer.

    python -m bench.save_cycle_instructions [--cycles 5] [--peer DIR]

The load mode of ``bench.save_cycle`` divides the worker processes' CPU time by the save cycles, but on
a shared machine that time moves by a third from one run to the next. Here each wizard runs its
save cycles in-process (Django's test client, SQLite, production settings) under valgrind's callgrind,
which counts the instructions executed, the same for the same work whatever else the machine does.
Only the measured cycles are counted (``--toggle-collect`` on the one ``functools.reduce`` that runs
them), after warm-up cycles that fill the per-process caches.

Every cycle saves a step with a text of its own and is answered with the next step, as in the load
mode. The portal is counted twice: with its caches as a worker that served the author before leaves
them, and with its caches emptied before every request (a worker that never saw the author). Needs
``valgrind`` on the PATH (skipped without it).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.save_cycle import (
    DEFAULT_PEER,
    FORM_STEPS,
    MARKER_FIELDS,
    PASSWORD,
    ROOT,
    Peer,
    portal_post_body,
    portal_values,
    setup_portal,
)

WARM_UP_CYCLES = 15
COLLECTED = re.compile(r"Collected : (\d+)")


def measure(cycle: Any, cycles: int) -> None:
    """Warm-up cycles, then the measured ones, the only code callgrind counts."""
    for index in range(WARM_UP_CYCLES):
        cycle(index, False)
    functools.reduce(
        lambda _acc, index: cycle(index, True), range(WARM_UP_CYCLES, WARM_UP_CYCLES + cycles), None
    )


def drive_portal(folder: Path, cycles: int, empty_caches: bool) -> None:
    """Save cycles of one author on the portal, the measured ones inside ``functools.reduce``."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"sqlite:///{folder}/portal.sqlite3",
        BENCH_STATIC_ROOT=str(folder / "static"),
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.test import Client

    from wizard.models import Channel

    values = portal_values()
    client = Client()
    client.force_login(get_user_model().objects.get(username="author0"))
    channel = Channel.objects.get()
    counter = iter(range(10**9))
    version = [channel.version]

    def cycle(index: int, measured: bool) -> None:
        slug = FORM_STEPS[index % len(FORM_STEPS)]
        step_values = dict(values[slug], **{MARKER_FIELDS[slug]: f"cycle {next(counter)}"})
        body = portal_post_body(slug, step_values, version[0], "next")
        if empty_caches and measured:
            for cache in caches.all(initialized_only=True):
                cache.clear()
        response = client.post(
            f"/channels/{channel.pk}/steps/{slug}/",
            body,
            headers={"HX-Request": "true", "HX-Target": "step-page"},
        )
        assert response.status_code == 200, response.status_code
        version[0] += 1  # every save is one version

    measure(cycle, cycles)


def drive_peer(folder: Path, cycles: int) -> None:
    """The same on the formtools peer: each POST saves a step and is answered with the next one."""
    peer_folder = folder / "peer"
    sys.path.insert(0, str(peer_folder))
    os.chdir(peer_folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "peer.settings_bench"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    step_data: dict[str, dict[str, str]] = json.loads((folder / "peer-steps.json").read_text())
    steps = list(step_data)
    client = Client()
    client.force_login(get_user_model().objects.get(username="peer0"))
    url = "/channels/new/"
    assert client.get(url).status_code == 200
    counter = iter(range(10**9))

    def cycle(index: int, measured: bool) -> None:
        step = steps[index % 5]
        values = dict(step_data[step])
        if step == "basics":
            values["name"] = f"cycle {next(counter)}"
        body = {"channel_wizard-current_step": step, **{f"{step}-{k}": v for k, v in values.items()}}
        response = client.post(url, body)
        assert f"step {index % 5 + 2} of 6".encode() in response.content, (step, response.status_code)

    measure(cycle, cycles)


def counted(folder: Path, cycles: int, *driver: str) -> subprocess.Popen[str]:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--toggle-collect=functools_reduce",
        f"--callgrind-out-file={folder}/callgrind.{'-'.join(driver)}.out",
        sys.executable,
        "-m",
        "bench.save_cycle_instructions",
        "--drive",
        *driver,
        "--folder",
        str(folder),
        "--cycles",
        str(cycles),
    ]
    # A fixed hash seed: the same dictionary and set layouts, so the same run counts the same.
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)  # noqa: S603


def instructions(process: subprocess.Popen[str], cycles: int) -> float:
    _out, err = process.communicate()
    found = COLLECTED.search(err)
    if process.returncode or not found:
        raise RuntimeError(err[-2000:])
    return int(found.group(1)) / cycles


def prepare(folder: Path, peer_source: Path) -> None:
    setup_portal(f"sqlite:///{folder}/portal.sqlite3", folder)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.permissions import AUTHORS, ensure_groups
    from wizard.services import drafts

    ensure_groups()
    user = get_user_model().objects.create_user("author0", password=PASSWORD)
    user.groups.add(Group.objects.get(name=AUTHORS))
    drafts.create_draft(user)
    peer = Peer(peer_source, folder, None)
    (folder / "peer-steps.json").write_text(json.dumps(peer.step_data))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=5, help="measured save cycles per wizard")
    parser.add_argument("--peer", type=Path, default=Path(os.environ.get("BENCH_PEER", DEFAULT_PEER)))
    parser.add_argument("--drive", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        if args.drive[0] == "portal":
            drive_portal(args.folder, args.cycles, empty_caches=args.drive[1:] == ["empty"])
        else:
            drive_peer(args.folder, args.cycles)
        return
    if not (args.peer / "bench.py").exists():
        print(
            f"save_cycle_instructions: no formtools peer at {args.peer} (--peer DIR or BENCH_PEER); skipped."
        )
        return
    if shutil.which("valgrind") is None:
        print("save_cycle_instructions: valgrind is not installed; skipped.")
        return
    folder = Path(tempfile.mkdtemp(prefix="studio-instructions-"))
    try:
        prepare(folder, args.peer)
        # Two at a time: each is one process, and the counts don't depend on what runs beside them.
        peer_run = counted(folder, args.cycles, "peer")
        warm_run = counted(folder, args.cycles, "portal", "warm")
        peer = instructions(peer_run, args.cycles)
        warm = instructions(warm_run, args.cycles)
        empty = instructions(counted(folder, args.cycles, "portal", "empty"), args.cycles)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\n== Server work per save cycle (callgrind instructions, in-process, SQLite, {args.cycles} cycles) =="
    )
    print("| wizard | instructions per cycle | portal / peer |\n|---|---|---|")
    print(f"| formtools peer | {peer / 1e6:.1f} M | |")
    print(f"| portal, caches as this author's worker left them | {warm / 1e6:.1f} M | {warm / peer:.2f}x |")
    print(f"| portal, caches emptied before every request | {empty / 1e6:.1f} M | {empty / peer:.2f}x |")
    print(
        "| save cycles per second the same CPU gives, portal / peer | | "
        f"{peer / warm:.2f}x (caches kept) · {peer / empty:.2f}x (emptied) |"
    )


if __name__ == "__main__":
    main()
