"""Start-up time and idle memory of the bot process: `python -m benchmarks.startup [--repeats N]`.

Starts `python app.py` in dev mode on a fresh SQLite file, measures the time until `/readyz` answers
200 (migrations applied, knowledge base loaded) and the process's resident memory once idle.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _once(port: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "KOTAE_DEV_MODE": "true",
            "PORT": str(port),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/kotae.db",
            "LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError):
                    pass
                if process.poll() is not None:
                    raise RuntimeError("the bot exited during start-up")
                time.sleep(0.01)
            ready = time.perf_counter() - started
            time.sleep(2)  # idle
            return ready, _rss_mib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--port", type=int, default=39781)
    arguments = parser.parse_args()
    results = [_once(arguments.port) for _ in range(arguments.repeats)]
    times, memory = zip(*results, strict=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"repeats: {arguments.repeats}")
    print(
        f"start to ready (s): median {statistics.median(times):.2f}, min {min(times):.2f}, max {max(times):.2f}"
    )
    print(
        f"idle RSS (MiB): median {statistics.median(memory):.0f}, min {min(memory):.0f}, max {max(memory):.0f}"
    )


if __name__ == "__main__":
    main()
