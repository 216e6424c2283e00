"""Run every ``bench/*.py`` module that has a ``main()``."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path


def main() -> None:
    here = Path(__file__).parent
    for module in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        if not hasattr(importlib.import_module(f"bench.{module.name}"), "main"):
            continue
        print(f"== bench.{module.name}", flush=True)
        # each benchmark in its own process: each sets up Django with its own temporary database
        subprocess.run([sys.executable, "-m", f"bench.{module.name}"], check=False)


if __name__ == "__main__":
    main()
