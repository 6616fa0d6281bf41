"""Password hashing cost at the default argon2id settings, and the worst case of the checks a
password change or reset makes (history of 10, then up to 12 near neighbours on a reset).

Run: .venv/bin/python bench/passwords.py   (writes bench/results/passwords.txt as well as printing)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import report  # noqa: E402
from config import Defaults  # noqa: E402
from services import passwords  # noqa: E402

SETTINGS = {name: getattr(Defaults, name) for name in dir(Defaults) if name.isupper()}
PASSWORD = "Lantern river 32!"


def median_ms(action, repeats: int = 15) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> int:
    stored = passwords.hash_password(PASSWORD, SETTINGS)
    hash_ms = median_ms(lambda: passwords.hash_password(PASSWORD, SETTINGS))
    verify_ms = median_ms(lambda: passwords.verify_password(stored, "Marble garden 42 Kettle?", SETTINGS))
    neighbours = len(passwords.near_neighbours(PASSWORD, SETTINGS["PASSWORD_NEIGHBOUR_CHECKS"]))
    history = SETTINGS["PASSWORD_HISTORY_COUNT"]
    cost = ", ".join(
        f"{name}={SETTINGS[f'PASSWORD_HASH_{name.upper()}']}"
        for name in ("time_cost", "memory_kib", "parallelism")
    )
    reset_ms = (history + neighbours) * verify_ms + hash_ms
    lines = [
        f"argon2id at {cost}",
        f"  hash a password:            {hash_ms:7.1f} ms (median of 15)",
        f"  verify one candidate:       {verify_ms:7.1f} ms",
        f"  change (history of {history}):     {history * verify_ms + hash_ms:7.1f} ms worst case",
        f"  reset ({history} + {neighbours} neighbours):   {reset_ms:7.1f} ms worst case",
    ]
    return report("passwords", lines, 0)


if __name__ == "__main__":
    raise SystemExit(main())
