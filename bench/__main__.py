"""Run every benchmark module in bench/ that has a ``main()``: ``python -m bench [name ...]``.

Each runs in a process of its own, with its own throw-away database and servers.
"""

import pkgutil
import subprocess
import sys
from pathlib import Path

SKIP = {"common", "urls", "settings"}


def main() -> int:
    wanted = set(sys.argv[1:])
    folder = Path(__file__).parent
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(folder)])
        if module.name not in SKIP and not module.name.startswith("_")
    )
    failed = []
    for name in names:
        if wanted and name not in wanted:
            continue
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=folder.parent, check=False)  # noqa: S603
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
