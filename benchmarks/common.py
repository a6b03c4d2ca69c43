"""Shared helpers of the benchmark scripts: machine description, settings overrides, percentiles."""

from __future__ import annotations

import dataclasses
import os
import platform
import sys

from knowledge import MatchSettings


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = (line.split(":", 1)[1] for line in info if line.startswith("model name"))
            cpu = next(names).strip()
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {platform.system()}"


def settings_with(overrides: list[str]) -> MatchSettings:
    """MatchSettings with NAME=VALUE overrides from the command line."""
    defaults = MatchSettings()
    values = {}
    for item in overrides:
        name, _, value = item.partition("=")
        values[name] = type(getattr(defaults, name))(float(value))
    return dataclasses.replace(defaults, **values)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
