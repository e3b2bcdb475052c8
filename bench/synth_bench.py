"""Synthesis benchmark: this library against aws_ecs_patterns, interleaved, same run.

    ./dev bench                      # N = 1, 10, 30, 100; 3 repetitions
    ./dev bench --sizes 1,10 --reps 5

Each case is a fresh process (``bench/bench_app.py``), as ``cdk synth`` runs it, so the figures
include jsii's and Node's start-up. Cases are interleaved within each repetition so that machine
noise hits both libraries alike. Reported: medians of wall time and peak memory (largest RSS of
the process tree, from ``wait4``), resources and template bytes per service, and the cost per
added service beyond N = 1. Writes ``bench/results.md``, ``bench/results.json`` and
``bench/synth.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
APP = BENCH / "bench_app.py"


def run_case(kind: str, services: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-{kind}-{services}-") as outdir,
        tempfile.TemporaryFile() as errors,
    ):
        started = time.perf_counter()
        # stderr to a file, not a pipe: CDK warns per service, and a full pipe would block it.
        process = subprocess.Popen(
            [sys.executable, str(APP), kind, str(services), outdir],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{kind} N={services} failed:\n{errors.read().decode()}")
        resources = 0
        template_bytes = 0
        for template in Path(outdir).glob("*.template.json"):
            template_bytes += template.stat().st_size
            resources += len(json.loads(template.read_text())["Resources"])
    return {
        "kind": kind,
        "services": services,
        "wall_s": wall,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "resources": resources,
        "template_bytes": template_bytes,
    }


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = sorted({(r["kind"], r["services"]) for r in runs})
    rows = []
    for kind, services in keys:
        mine = [r for r in runs if (r["kind"], r["services"]) == (kind, services)]
        rows.append(
            {
                "kind": kind,
                "services": services,
                "wall_s": statistics.median(r["wall_s"] for r in mine),
                "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in mine),
                "resources": mine[0]["resources"],
                "template_bytes": mine[0]["template_bytes"],
                "reps": len(mine),
            }
        )
    return rows


def per_service(rows: list[dict[str, Any]], kind: str, key: str) -> float | None:
    mine = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["services"])
    if len(mine) < 2 or mine[-1]["services"] == mine[0]["services"]:
        return None
    return (mine[-1][key] - mine[0][key]) / (mine[-1]["services"] - mine[0]["services"])


def render(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "# Synthesis benchmark",
        "",
        f"Command: `{command}` (medians; each case a fresh process, cases interleaved).",
        "",
        "| app | services | wall (s) | peak RSS (MiB) | resources | template KiB | reps |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['services']} | {r['wall_s']:.2f} | {r['peak_rss_mib']:.0f} | "
            f"{r['resources']} | {r['template_bytes'] / 1024:.0f} | {r['reps']} |"
        )
    lines += [
        "",
        "| app | ms per added service | resources per service | template bytes per service |",
    ]
    lines.append("|---|---:|---:|---:|")
    for kind in ("ours", "patterns"):
        wall = per_service(rows, kind, "wall_s")
        res = per_service(rows, kind, "resources")
        size = per_service(rows, kind, "template_bytes")
        if wall is None or res is None or size is None:
            continue
        lines.append(f"| {kind} | {wall * 1000:.1f} | {res:.1f} | {size:.0f} |")
    lines += ["", *targets(rows)]
    return "\n".join(lines) + "\n"


def targets(rows: list[dict[str, Any]]) -> list[str]:
    """Issue 7's time targets: ours no slower than aws_ecs_patterns, case by case."""
    wall = {(r["kind"], r["services"]): r["wall_s"] for r in rows}
    pairs = [("reference app", wall.get(("reference", 1)), wall.get(("reference-patterns", 1)))]
    pairs += [
        (f"N = {n}", wall[("ours", n)], wall.get(("patterns", n)))
        for kind, n in sorted(wall)
        if kind == "ours"
    ]
    per = [(per_service(rows, k, "wall_s") or 0) * 1000 for k in ("ours", "patterns")]
    out = [
        "| target: no slower than aws_ecs_patterns | ours | patterns | difference | met |",
        "|---|---:|---:|---:|---|",
    ]
    for name, mine, theirs in pairs:
        if mine is None or theirs is None:
            continue
        out.append(
            f"| {name} (s) | {mine:.2f} | {theirs:.2f} | {mine - theirs:+.2f} | "
            f"{'yes' if mine <= theirs else 'no'} |"
        )
    if all(per):
        out.append(
            f"| per added service (ms) | {per[0]:.1f} | {per[1]:.1f} | {per[0] - per[1]:+.1f} | "
            f"{'yes' if per[0] <= per[1] else 'no'} |"
        )
    return out


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (wall_axis, size_axis) = plt.subplots(1, 2, figsize=(10, 4))
    for kind, style in (("ours", "o-"), ("patterns", "s--")):
        mine = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["services"])
        if not mine:
            continue
        xs = [r["services"] for r in mine]
        wall_axis.plot(xs, [r["wall_s"] for r in mine], style, label=kind)
        size_axis.plot(xs, [r["template_bytes"] / 1024 for r in mine], style, label=kind)
    for r in rows:
        if r["kind"] == "reference":
            wall_axis.axhline(r["wall_s"], color="grey", linestyle=":", label="reference app")
        if r["kind"] == "reference-patterns":
            wall_axis.axhline(
                r["wall_s"], color="grey", linestyle="-.", label="reference app, patterns twin"
            )
    wall_axis.set(xlabel="services", ylabel="synth wall time (s)", title="cdk synth time")
    size_axis.set(xlabel="services", ylabel="template KiB (all stacks)", title="template size")
    for axis in (wall_axis, size_axis):
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,30,100")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=BENCH)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = [("reference", 1), ("reference-patterns", 1)] + [
        (k, n) for n in sizes for k in ("ours", "patterns")
    ]
    runs = []
    for rep in range(args.reps):
        for kind, services in cases:
            result = run_case(kind, services)
            runs.append(result)
            print(
                f"rep {rep + 1} {kind:18} N={services:3} {result['wall_s']:6.2f}s "
                f"{result['peak_rss_mib']:6.0f} MiB {result['resources']:5} resources",
                flush=True,
            )
    rows = summarize(runs)
    command = f"./dev bench --sizes {args.sizes} --reps {args.reps}"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"runs": runs, "medians": rows}, indent=2))
    report = render(rows, command)
    (args.out / "results.md").write_text(report)
    plot(rows, args.out / "synth.png")
    print(report)


if __name__ == "__main__":
    main()
