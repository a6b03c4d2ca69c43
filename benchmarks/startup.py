"""Start-up time and idle memory of the bot process:
`python -m benchmarks.startup [--repeats N] [--kb DIR]`.

Each repeat starts `python app.py` in dev mode on a fresh SQLite file and an empty knowledge cache
(the first start), stops it, and starts it again on the same files (a restart, which reads the
knowledge snapshot the first start saved); for each start it measures the time until `/readyz`
answers 200 (migrations applied, knowledge base loaded) and the process's resident memory once idle.
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


def _start(port: int, env: dict[str, str]) -> tuple[float, float]:
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


def _first_start_and_restart(port: int, kb: Path) -> list[tuple[float, float]]:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "KOTAE_DEV_MODE": "true",
            "PORT": str(port),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/kotae.db",
            "KOTAE_KNOWLEDGE_DIR": str(kb),
            "KOTAE_KNOWLEDGE_CACHE_DIR": f"{folder}/knowledge-cache",
            "LOG_LEVEL": "WARNING",
        }
        return [_start(port, env), _start(port, env)]


def _summary(label: str, results: list[tuple[float, float]]) -> None:
    times, memory = zip(*results, strict=True)
    print(
        f"{label}: start to ready (s) median {statistics.median(times):.2f}, min {min(times):.2f}, "
        f"max {max(times):.2f}; idle RSS (MiB) median {statistics.median(memory):.0f}, "
        f"min {min(memory):.0f}, max {max(memory):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--port", type=int, default=39781)
    parser.add_argument("--kb", type=Path, default=REPO / "knowledge" / "faq", help="knowledge-base folder")
    arguments = parser.parse_args()
    runs = [
        _first_start_and_restart(arguments.port, arguments.kb.resolve()) for _ in range(arguments.repeats)
    ]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"repeats: {arguments.repeats}; knowledge base: {arguments.kb}")
    _summary("first start", [first for first, _ in runs])
    _summary("restart", [restart for _, restart in runs])


if __name__ == "__main__":
    main()
