"""Run every benchmark module in bench/ that has a ``main()``: ``python -m bench [name ...]``."""

import importlib
import pkgutil
import sys
from pathlib import Path

SKIP = {"common", "urls"}


def main() -> None:
    wanted = set(sys.argv[1:])
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(Path(__file__).parent)])
        if module.name not in SKIP and not module.name.startswith("_")
    )
    for name in names:
        if wanted and name not in wanted:
            continue
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "main"):
            module.main()


if __name__ == "__main__":
    main()
