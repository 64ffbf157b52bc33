"""Results: JSON, the markdown report, the growth chart, and the README block between the bench markers."""

from __future__ import annotations

import json
import math
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _f(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _missing(r: dict) -> str:
    return f"missing (status {r.get('code')})"


def inprocess_table(results: list[dict]) -> str:
    rows = []
    for r in results:
        if r["status"] != "ok":
            rows.append([f"`{r['name']}`", r["as"], _missing(r), None, None, None, None, None])
            continue
        floor = r.get("floor") or {}
        rows.append(
            [
                f"`{r['name']}`",
                r["as"],
                r["queries"],
                r["latency"]["p50_ms"],
                r["latency"]["p95_ms"],
                r["bytes"],
                floor.get("p50_ms"),
                r.get("ratio"),
            ]
        )
    return table(["endpoint", "as", "queries", "p50 ms", "p95 ms", "bytes", "floor p50 ms", "× floor"], rows)


def http_table(results: list[dict]) -> str:
    """Full pages beside the same GET polled with its ETag (If-None-Match: 304s, the frontend's polling)."""
    rows = []
    for r in results:
        if r.get("status") != "ok":
            rows.append([f"`{r['name']}`", _missing(r), None, None, None, None, None, None, None])
            continue
        nm = r.get("not_modified") or {}
        ratio = nm["rps"] / r["rps"] if nm.get("rps") and r.get("rps") else None
        rows.append(
            [
                f"`{r['name']}`",
                r["rps"],
                r["p50_ms"],
                r["p99_ms"],
                r["errors"],
                nm.get("rps"),
                nm.get("p50_ms"),
                ratio,
                r["tool"],
            ]
        )
    headers = ["endpoint", "requests/s", "p50 ms", "p99 ms", "errors", "304s/s", "304 p50 ms", "304 × full", "load"]
    return table(headers, rows)


def machine_lines(meta: dict) -> list[str]:
    """CPU, load and steal before and during each phase, and whether the machine was busy."""
    machine = meta.get("machine")
    if not machine:
        return []
    start = machine["load_at_start"]
    lines = [
        f"Machine: {meta.get('cpu')}, {machine['cores']} cores; load average before the run"
        f" {start[0]:.2f} / {start[1]:.2f} / {start[2]:.2f} (1 / 5 / 15 min)."
    ]
    rows = [
        [phase, m["seconds"], m["load_before"], m["load_after"], m["cpu_busy_pct"], m["steal_pct"]]
        for phase, m in machine.get("phases", {}).items()
    ]
    if rows:
        lines += [
            "",
            table(["phase", "seconds", "load before", "load after", "CPU busy % (all)", "CPU steal %"], rows),
        ]
    busy = meta.get("busy")
    if busy:
        lines += ["", "**The machine was busy** (" + "; ".join(busy) + "): compare ratios, not absolute figures."]
    elif busy is not None:
        lines += ["", "The machine was quiet before the run and no phase saw CPU steal above 5%."]
    return lines


def servers_table(results: list[dict]) -> str:
    rows = [[r["config"], r.get("rps"), r.get("p50_ms"), r.get("p99_ms"), r.get("errors")] for r in results]
    return table(
        [
            "server (appointments page 50 or the first endpoint that answers)",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "errors",
        ],
        rows,
    )


def growth_table(rungs: list[dict]) -> str:
    names = []
    for rung in rungs:
        for m in rung["measures"]:
            if m["key"] not in names:
                names.append(m["key"])
    rows = []
    for rung in rungs:
        by_key = {m["key"]: m for m in rung["measures"]}
        cells = [rung["label"], rung["counts"]["appointments"], rung["counts"]["user_notifications"]]
        for key in names:
            m = by_key.get(key)
            cells.append(m["latency"]["p50_ms"] if m and m["status"] == "ok" else _missing(m) if m else None)
        rows.append(cells)
    readable = [n.replace("[light]", "[a user with about 1,000]") for n in names]
    headers = ["data", "appointments", "notifications of the user", *[f"`{n}` p50 ms" for n in readable]]
    return table(headers, rows)


def trigger_table(costs: list[dict]) -> str:
    """Per statement: its time and each trigger's (PostgreSQL's EXPLAIN ANALYZE), slowest first."""
    rows = []
    for c in costs:
        rows.append([f"**{c['statement']}**", c["total_ms"], "whole statement"])
        for name, ms in sorted(c["triggers"].items(), key=lambda kv: -kv[1]):
            rows.append([f"  trigger `{name}`", ms, ""])
    return table(["statement / trigger", "median ms", ""], rows)


def writes_table(writes: dict) -> str:
    rows = []
    for label, key in (("create an appointment (POST)", "create"), ("therapist_confirm (POST)", "confirm")):
        r = writes.get(key)
        if r is None:
            continue
        if r["status"] == "ok":
            rows.append([label, r["median_ms"], f"{r['queries']} queries, n={r['n']}"])
        else:
            rows.append([label, None, f"{_missing(r)}: {r.get('detail', '')[:80]}"])
    ins = writes.get("notification_insert")
    if ins:
        rows.append(["notification insert, counter triggers on", ins["single_with_triggers_ms"], f"n={ins['n']}"])
        rows.append(
            [
                "notification insert, triggers disabled",
                ins["single_without_triggers_ms"],
                f"ratio {ins['single_ratio']:.2f}",
            ]
        )
        rows.append(["1,000-row notification insert, triggers on", ins["bulk1000_with_triggers_ms"], ""])
        rows.append(
            [
                "1,000-row notification insert, triggers disabled",
                ins["bulk1000_without_triggers_ms"],
                f"ratio {ins['bulk1000_ratio']:.2f}",
            ]
        )
    mark = writes.get("mark_all")
    if mark:
        e = mark["endpoint"]
        label = f"mark_all_as_read over {mark['rows']:,} unread (POST)"
        if e["status"] == "ok":
            rows.append([label, e["median_ms"], f"{e['queries']} queries, n={e['n']}"])
        else:
            rows.append([label, None, f"{_missing(e)}"])
        rows.append([f"bare UPDATE of {mark['bare_updated']:,} rows to read", mark["bare_update_ms"], ""])
    if writes.get("history"):
        from bench.history_cost import rows as history_rows

        rows += history_rows(writes["history"])
    return table(["write", "median ms", "notes"], rows)


def markdown(report: dict) -> str:
    meta = report["meta"]
    parts = [
        f"Benchmark of {meta['date']} (UTC) on {meta['cores']} cores ({meta['cpu']}), PostgreSQL {meta['postgres']},"
        f" Python {meta['python']}; data set `{meta['size']}`: {_f(meta['data'].get('appointments'))} appointments,"
        f" {_f(meta['data'].get('notifications'))} notifications, seeded in {meta['seed_seconds']:.1f} s."
        f" Mode: {meta['mode']}; total run {meta.get('total_seconds', 0):.0f} s"
        + (
            " (" + ", ".join(f"{k} {v:.0f} s" for k, v in meta["phase_seconds"].items()) + ")."
            if meta.get("phase_seconds")
            else "."
        ),
    ]
    machine = machine_lines(meta)
    if machine:
        parts += ["", *machine]
    if report.get("inprocess"):
        parts += [
            "",
            "**In-process** (Django's WSGI handler called as the server calls it, real tokens;"
            f" {meta['reps']} measured after {meta['warmup']}"
            " warm-up, heavy endpoints fewer). Floor: the same SQL through psycopg, rows to JSON with orjson;"
            " endpoint and floor measured in alternating blocks of 10 calls.",
            "",
            inprocess_table(report["inprocess"]),
        ]
    if report.get("http"):
        parts += ["", f"**Over HTTP** ({report.get('http_meta', 'gunicorn')})", "", http_table(report["http"])]
    if report.get("servers"):
        parts += ["", "Serving arrangements, interleaved:", "", servers_table(report["servers"])]
        if report.get("serving_summary"):
            parts += ["", report["serving_summary"]]
    if report.get("live"):
        from bench.live import table as live_table

        parts += [
            "",
            "**Live channel** (WebSockets on the production server, 2 worker processes; writes: one appointment"
            " updated per transaction while every socket is open)",
            "",
            live_table(report["live"]),
        ]
    if report.get("growth"):
        parts += ["", "**Growth** (chart: bench/results/latest.png)", "", growth_table(report["growth"])]
        if report.get("growth_summary"):
            parts += ["", report["growth_summary"]]
    if report.get("writes"):
        parts += ["", "**Writes**", "", writes_table(report["writes"])]
        if report["writes"].get("triggers"):
            parts += [
                "",
                "What a write's statements cost, trigger by trigger:",
                "",
                trigger_table(report["writes"]["triggers"]),
            ]
    if report.get("notes"):
        parts += ["", *[f"- {n}" for n in report["notes"]]]
    return "\n".join(parts) + "\n"


def chart(rungs: list[dict], path: Path) -> bool:
    """Latency (p50) against data size, one line per measured endpoint. False when there is nothing to draw."""
    series: dict[str, list[tuple[int, float]]] = {}
    for i, rung in enumerate(rungs):
        for m in rung["measures"]:
            if m["status"] == "ok":
                series.setdefault(m["key"], []).append((i, m["latency"]["p50_ms"]))
    if not series:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for key, points in series.items():
        xs, ys = zip(*points, strict=True)
        label = key.replace("[light]", "[a user with about 1,000]")
        ax.plot(xs, ys, marker="o", label=label)
    ticks = [
        f"{r['label'].split(',')[0]}\n{r['counts']['appointments']:,} appointments\n"
        f"{r['counts']['user_notifications']:,} notifications"
        for r in rungs
    ]
    ax.set_xticks(range(len(rungs)), ticks, fontsize=8)
    ax.set_xlabel("data size (appointments in all; notifications of the busiest user)")
    ax.set_ylabel("p50 latency, ms (in-process)")
    ax.set_ylim(bottom=0)
    ax.set_title("Latency as the data grows")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def write_json(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=2, default=str))


def update_readme(readme: Path, text: str) -> bool:
    """Replace what stands between the bench markers; False (and no change) when the markers are missing."""
    if not readme.exists():
        return False
    content = readme.read_text()
    start, end = content.find(START), content.find(END)
    if start < 0 or end < start:
        return False
    readme.write_text(content[: start + len(START)] + "\n" + text.rstrip() + "\n" + content[end:])
    return True
