"""What makes a figure comparable: the CPU, and how busy the machine was before and during each phase.

Load average and /proc/stat (all CPUs) are sampled at each phase boundary: `cpu_busy_pct` is the share of CPU
time not idle over the phase (this benchmark's own work included), `steal_pct` the share a hypervisor gave to
other guests. A run is flagged busy when the 1-minute load before it already exceeded half the cores (other work was running;
later phases' load includes the benchmark's own), or when steal exceeded 5% in a phase: its figures are then not
comparable with a quiet run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STEAL_BUSY_PCT = 5.0


def _cpu_times() -> list[int] | None:
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    return [int(x) for x in first[1:]] if first and first[0] == "cpu" else None


def sample() -> dict:
    return {"at": time.time(), "load": list(os.getloadavg()), "cpu": _cpu_times()}


def between(before: dict, after: dict) -> dict:
    out = {
        "seconds": after["at"] - before["at"],
        "load_before": before["load"][0],
        "load_after": after["load"][0],
        "cpu_busy_pct": None,
        "steal_pct": None,
    }
    if before["cpu"] and after["cpu"]:
        delta = [b - a for a, b in zip(before["cpu"], after["cpu"], strict=False)]
        total = sum(delta[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
        if total > 0:
            idle = delta[3] + delta[4]
            out["cpu_busy_pct"] = 100.0 * (total - idle) / total
            out["steal_pct"] = 100.0 * delta[7] / total if len(delta) > 7 else 0.0
    return out


class Monitor:
    """Call `end(phase)` at each phase boundary; `phases` maps a phase to its machine figures."""

    def __init__(self) -> None:
        self.cores = len(os.sched_getaffinity(0))
        self.start = sample()
        self._last = self.start
        self.phases: dict[str, dict] = {}

    def end(self, phase: str) -> None:
        now = sample()
        self.phases[phase] = between(self._last, now)
        self._last = now

    def busy_reasons(self) -> list[str]:
        reasons = []
        if self.start["load"][0] > self.cores / 2:
            reasons.append(f"1-minute load {self.start['load'][0]:.2f} on {self.cores} cores before the run")
        for phase, m in self.phases.items():  # later phases' load includes this benchmark's own work
            if (m["steal_pct"] or 0) > STEAL_BUSY_PCT:
                reasons.append(f"CPU steal {m['steal_pct']:.1f}% during {phase}")
        return reasons

    def describe(self) -> dict:
        return {"cores": self.cores, "load_at_start": self.start["load"], "phases": self.phases}
