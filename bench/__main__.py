"""``python -m bench`` lists the benchmarks."""

import pkgutil
from pathlib import Path

names = [m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")]
print("Benchmarks:", ", ".join(f"python -m bench.{name}" for name in sorted(names)))
