"""Timing and percentiles, free of Django so tests and the load generator can use them."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and mean in milliseconds, plus the sample count."""
    return {
        "n": len(seconds),
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "mean_ms": (sum(seconds) / len(seconds) * 1000) if seconds else math.nan,
    }


def time_calls(fn: Callable[[], object], *, warmup: int, reps: int) -> list[float]:
    """Call fn `warmup` times unmeasured, then `reps` times; return each measured call's wall time in seconds."""
    for _ in range(warmup):
        fn()
    samples = []
    clock = time.perf_counter
    for _ in range(reps):
        start = clock()
        fn()
        samples.append(clock() - start)
    return samples


def time_interleaved(
    fns: Sequence[Callable[[], object]], *, warmup: int, reps: int, block: int = 10
) -> list[list[float]]:
    """time_calls for several functions at once, in alternating blocks of `block` calls (A x10, B x10, A x10, ...):
    a change in the machine's load during the measurement reaches each function alike, so their ratio holds even
    when the absolute figures drift. Returns each function's `reps` samples, in seconds."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    clock = time.perf_counter
    while len(samples[0]) < reps:
        for fn, out in zip(fns, samples, strict=True):
            for _ in range(min(block, reps - len(out))):
                start = clock()
                fn()
                out.append(clock() - start)
    return samples
