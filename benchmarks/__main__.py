"""Run every benchmark: ``python -m benchmarks`` (``make bench``). Results in benchmarks/results/."""

import importlib
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_")
    )
    failed = []
    for name in names:
        print(f"=== {name}", flush=True)
        t0 = time.perf_counter()
        mod = importlib.import_module(f"benchmarks.{name}")
        try:
            out = mod.main()
            rc = out if isinstance(out, int) else 0
        except SystemExit as exc:
            rc = exc.code
        print(f"=== {name} done in {time.perf_counter() - t0:.1f} s (exit {rc or 0})", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
