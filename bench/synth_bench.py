"""Synthesis benchmark: this library against aws_ecs_patterns and its secure twin, same run.

    ./dev bench                      # N = 1, 10, 30, 100; 3 repetitions
    ./dev bench --sizes 1,10 --reps 5
    ./dev bench --scale 300 --reps 1 # only the 300-service app: writes bench/scale.md alone

Each case is a fresh process (``bench/bench_app.py``), as ``cdk synth`` runs it, so the figures
include jsii's and Node's start-up. Cases are interleaved within each repetition (and their
order rotates from one repetition to the next) so that machine noise hits every app alike.
Reported: medians of wall time, CPU time (user + system of the process tree) and peak memory
(largest RSS in the process tree, from ``wait4``), resources and template bytes, the cost per
added service beyond the smallest N, the lines of user code each app takes, and issue 19's
three targets:

1. ours at most 1.0 times the secure twin (``secure-patterns``) at N = 1, 10 and 100;
2. ours at most 1.15 times raw ``aws_ecs_patterns`` (``patterns``) at N = 1;
3. ours at most raw ``aws_ecs_patterns`` per added service.

A verdict needs a quiet machine: the 1-minute load average is sampled before every case, and
when its median exceeds ``--quiet-load`` (1.6) the targets are printed but not judged. Writes
``bench/results.md``, ``bench/results.json`` and ``bench/synth.png``.

``--scale N`` runs only this library's app at N services (issue 18: 300 web services, in
``ServicesStack``s of 25, 4 stacks on each load-balancer shard, as ``bench/bench_app.py``
lays them out) and writes ``bench/scale.md`` only: synth wall and CPU time, peak memory, the
number of stacks and of load balancers (shards), and the most resources in one stack, against
the 450 of ``RESOURCE_BUDGET``. ``tests/test_scale.py`` checks the same app (limits, cdk-nag,
cfn-lint).
"""

from __future__ import annotations

import argparse
import ast
import io
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tokenize
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
APP = BENCH / "bench_app.py"

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
RESOURCE_BUDGET = 450
"""``constructs_ecs.RESOURCE_BUDGET``, repeated: this script imports no CDK library."""
REFERENCE_KINDS = ("reference", "reference-patterns", "secure-reference-patterns")
SIZED_KINDS = ("ours", "patterns", "secure-patterns")
TARGET_SIZES = (1, 10, 100)
TWIN_LIMIT = 1.0
PATTERNS_LIMIT = 1.15
QUIET_LOAD = 1.6
"""Largest median 1-minute load average (2 cores) at which verdicts are given: the benchmark
itself keeps about one core busy (Python and Node take turns)."""

SHARED_TWIN = (
    "AMI",
    "ECS_CONFIG",
    "NOT_FOUND",
    "acknowledge",
    "Platform",
    "platform",
    "add_load_balancer",
    "access_log_bucket",
    "web_service_options",
    "web_task",
    "service_alarms",
)
CODE: dict[str, dict[str, list[tuple[Path, tuple[str, ...] | None]]]] = {
    "reference app": {
        "ours": [(REPO / "app.py", None)],
        "secure twin": [(BENCH / "secure_twin.py", (*SHARED_TWIN, "reference_app", "main"))],
        "raw patterns": [(APP, ("reference_patterns",))],
    },
    "N-service app": {
        "ours": [(APP, ("ours", "spec", "SERVICES_PER_STACK", "STACKS_PER_SHARD"))],
        "secure twin": [
            (
                BENCH / "secure_twin.py",
                (*SHARED_TWIN, "services_app", "SERVICES_PER_STACK", "STACKS_PER_SHARD"),
            )
        ],
        "raw patterns": [(APP, ("patterns",))],
    },
}
"""Where each app's user code is: a whole file (``None``) or its named top-level definitions."""


def run_case(kind: str, services: int) -> dict[str, Any]:
    load = os.getloadavg()[0]
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
        per_stack: list[int] = []
        load_balancers = 0
        for template in Path(outdir).glob("*.template.json"):
            template_bytes += template.stat().st_size
            defined = json.loads(template.read_text())["Resources"]
            resources += len(defined)
            per_stack.append(len(defined))
            load_balancers += sum(1 for r in defined.values() if r["Type"] == LOAD_BALANCER)
    return {
        "kind": kind,
        "services": services,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "resources": resources,
        "template_bytes": template_bytes,
        "stacks": len(per_stack),
        "max_stack_resources": max(per_stack, default=0),
        "load_balancers": load_balancers,
        "load": load,
    }


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {kind: i for i, kind in enumerate(SIZED_KINDS + REFERENCE_KINDS)}
    keys = sorted({(r["kind"], r["services"]) for r in runs}, key=lambda k: (order[k[0]], k[1]))
    rows = []
    for kind, services in keys:
        mine = [r for r in runs if (r["kind"], r["services"]) == (kind, services)]
        rows.append(
            {
                "kind": kind,
                "services": services,
                "wall_s": statistics.median(r["wall_s"] for r in mine),
                "cpu_s": statistics.median(r["cpu_s"] for r in mine),
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
    return float(mine[-1][key] - mine[0][key]) / (mine[-1]["services"] - mine[0]["services"])


def targets(rows: list[dict[str, Any]], quiet: bool) -> list[str]:
    """Issue 19's three targets, one row per comparison; informational rows are marked."""
    wall = {(r["kind"], r["services"]): r["wall_s"] for r in rows}
    cpu = {(r["kind"], r["services"]): r["cpu_s"] for r in rows}

    def verdict(ok: bool) -> str:
        return ("yes" if ok else "no") if quiet else ("(yes)" if ok else "(no)")

    out = [
        "| target | ours | other | ratio (wall) | ratio (CPU) | limit | met |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]

    def ratio_row(name: str, mine: tuple[str, int], other: tuple[str, int], limit: float | None):
        if mine not in wall or other not in wall:
            limit_text = "" if limit is None else f"≤ {limit:.2f}"
            out.append(f"| {name} | | | | | {limit_text} | not measured |")
            return
        ratio = wall[mine] / wall[other]
        cpu_ratio = cpu[mine] / cpu[other]
        met = "(not a target)" if limit is None else verdict(ratio <= limit)
        limit_text = "" if limit is None else f"≤ {limit:.2f}"
        out.append(
            f"| {name} | {wall[mine]:.2f} s | {wall[other]:.2f} s | {ratio:.2f} | "
            f"{cpu_ratio:.2f} | {limit_text} | {met} |"
        )

    sizes = sorted({n for kind, n in wall if kind == "ours"} | set(TARGET_SIZES))
    for n in sizes:
        if n not in TARGET_SIZES and ("secure-patterns", n) not in wall:
            continue
        limit = TWIN_LIMIT if n in TARGET_SIZES else None
        ratio_row(f"1. ours vs secure twin, N = {n}", ("ours", n), ("secure-patterns", n), limit)
    ratio_row(
        "1. ours vs secure twin, reference app",
        ("reference", 1),
        ("secure-reference-patterns", 1),
        None,
    )
    ratio_row("2. ours vs raw patterns, N = 1", ("ours", 1), ("patterns", 1), PATTERNS_LIMIT)
    mine = per_service(rows, "ours", "wall_s")
    theirs = per_service(rows, "patterns", "wall_s")
    if mine is None or theirs is None:
        out.append("| 3. per added service vs raw patterns | | | | | ≤ patterns | not measured |")
    else:
        mine_cpu = per_service(rows, "ours", "cpu_s") or 0.0
        theirs_cpu = per_service(rows, "patterns", "cpu_s") or 0.0
        out.append(
            f"| 3. per added service vs raw patterns | {mine * 1000:.1f} ms | "
            f"{theirs * 1000:.1f} ms | {mine / theirs:.2f} | "
            f"{(mine_cpu / theirs_cpu) if theirs_cpu else float('nan'):.2f} | ≤ patterns | "
            f"{verdict(mine <= theirs)} |"
        )
    return out


def _defines(node: ast.stmt) -> set[str]:
    """The names a top-level definition or assignment binds (imports excluded)."""
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {t.id for t in targets if isinstance(t, ast.Name)}
    return set()


def code_lines(path: Path, names: Iterable[str] | None = None) -> int:
    """Lines of code (no blank, comment or docstring lines) of ``path``'s top-level
    statements, or only of the named definitions and the imports they use; never the
    ``if __name__ == "__main__"`` guard."""
    source = path.read_text()
    tree = ast.parse(source)
    wanted = set(names) if names is not None else None
    chosen: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            continue
        if wanted is None or _defines(node) & wanted:
            chosen.append(node)
    if wanted is not None:
        used = {n.id for node in chosen for n in ast.walk(node) if isinstance(n, ast.Name)}
        used |= {
            n.value.id
            for node in chosen
            for n in ast.walk(node)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
        }
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom) and (
                {(a.asname or a.name).split(".")[0] for a in node.names} & used
                or getattr(node, "module", None) == "__future__"
            ):
                chosen.append(node)
    lines: set[int] = set()
    for node in chosen:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        lines.update(range(first, (node.end_lineno or node.lineno) + 1))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            docstrings.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
        # Attribute docstrings: a bare string right after an assignment.
        if isinstance(body, list):
            for before, after in itertools.pairwise(body):
                if (
                    isinstance(before, ast.Assign | ast.AnnAssign)
                    and isinstance(after, ast.Expr)
                    and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)
                ):
                    docstrings.update(range(after.lineno, (after.end_lineno or after.lineno) + 1))
    code: set[int] = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    skip |= {tokenize.ENCODING, tokenize.ENDMARKER}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            code.update(range(token.start[0], token.end[0] + 1))
    return len((lines & code) - docstrings)


def code_table() -> list[str]:
    out = [
        "| app | ours | secure twin | raw patterns (no posture) |",
        "|---|---:|---:|---:|",
    ]
    for app, by_kind in CODE.items():
        counts = {
            kind: sum(code_lines(path, names) for path, names in parts)
            for kind, parts in by_kind.items()
        }
        out.append(
            f"| {app} | {counts['ours']} | {counts['secure twin']} | {counts['raw patterns']} |"
        )
    return out


def render(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    quiet = meta["load_median"] <= meta["quiet_load"]
    lines = [
        "# Synthesis benchmark",
        "",
        f"Command: `{meta['command']}` (medians; each case a fresh process, cases interleaved).",
        f"Node {meta['node']}, Python {meta['python']}, {meta['cpus']} CPUs; 1-minute load "
        f"average before each case: median {meta['load_median']:.2f}, highest "
        f"{meta['load_max']:.2f}.",
        "",
    ]
    if not quiet:
        lines += [
            f"**Not judged: the machine was busy** (median load {meta['load_median']:.2f} > "
            f"{meta['quiet_load']}). The verdicts below are in parentheses; re-run on a quiet "
            "machine.",
            "",
        ]
    if meta["reps"] < 5:
        lines += [
            f"**{meta['reps']} repetition(s) only: indicative figures**; use `--reps 5` or more "
            "for medians worth quoting.",
            "",
        ]
    lines += [
        "| app | services | wall (s) | CPU (s) | peak RSS (MiB) | resources | template KiB "
        "| reps |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['services']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | "
            f"{r['peak_rss_mib']:.0f} | {r['resources']} | {r['template_bytes'] / 1024:.0f} | "
            f"{r['reps']} |"
        )
    lines += [
        "",
        "| app | ms per added service | resources per service | template bytes per service |",
        "|---|---:|---:|---:|",
    ]
    for kind in SIZED_KINDS:
        wall = per_service(rows, kind, "wall_s")
        res = per_service(rows, kind, "resources")
        size = per_service(rows, kind, "template_bytes")
        if wall is None or res is None or size is None:
            continue
        lines.append(f"| {kind} | {wall * 1000:.1f} | {res:.1f} | {size:.0f} |")
    lines += [
        "",
        *targets(rows, quiet),
        "",
        "Lines of user code (no blank, comment or docstring lines; the secure twin's shared "
        "platform counts in both of its apps):",
        "",
        *code_table(),
        "",
        "At scale (300 services on load-balancer shards): `./dev bench --scale 300` writes "
        "[scale.md](scale.md).",
    ]
    return "\n".join(lines) + "\n"


def render_scale(runs: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """``bench/scale.md``: the ``--scale`` app's medians, one row."""
    (row,) = summarize(runs)
    first = runs[0]
    lines = [
        "# Scale: one platform, many services",
        "",
        f"Command: `{meta['command']}` (medians; each repetition a fresh process). "
        f"Node {meta['node']}, Python {meta['python']}, {meta['cpus']} CPUs; 1-minute load "
        f"average before each repetition: median {meta['load_median']:.2f}, highest "
        f"{meta['load_max']:.2f}.",
        "",
    ]
    if meta["load_median"] > meta["quiet_load"]:
        lines += [
            f"**The machine was busy** (median load {meta['load_median']:.2f} > "
            f"{meta['quiet_load']}): times are upper bounds; re-run on a quiet machine.",
            "",
        ]
    lines += [
        "`bench/bench_app.py`'s `ours` app: one `PlatformStack`, `ServicesStack`s of 25 "
        "`WebService`s (each with its default alarms), 4 stacks on each load-balancer shard. "
        "`tests/test_scale.py` synthesizes the same app with cdk-nag and checks every stack's "
        "budget and every load balancer's 100 rules and 100 target groups.",
        "",
        "| services | stacks | load balancers (shards) | resources | most in one stack "
        f"(budget {RESOURCE_BUDGET}) | template KiB | wall (s) | CPU (s) | peak RSS (MiB) | reps |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {row['services']} | {first['stacks']} | {first['load_balancers']} | "
        f"{row['resources']} | {first['max_stack_resources']} | "
        f"{row['template_bytes'] / 1024:.0f} | {row['wall_s']:.2f} | {row['cpu_s']:.2f} | "
        f"{row['peak_rss_mib']:.0f} | {row['reps']} |",
    ]
    return "\n".join(lines) + "\n"


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (wall_axis, size_axis) = plt.subplots(1, 2, figsize=(10, 4))
    styles = {"ours": "o-", "patterns": "s--", "secure-patterns": "^-."}
    for kind, style in styles.items():
        mine = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["services"])
        if not mine:
            continue
        xs = [r["services"] for r in mine]
        wall_axis.plot(xs, [r["wall_s"] for r in mine], style, label=kind)
        size_axis.plot(xs, [r["template_bytes"] / 1024 for r in mine], style, label=kind)
    lines = {
        "reference": ("grey", ":", "reference app"),
        "reference-patterns": ("grey", "-.", "reference app, raw patterns"),
        "secure-reference-patterns": ("black", "--", "reference app, secure twin"),
    }
    for r in rows:
        if r["kind"] in lines:
            color, style, label = lines[r["kind"]]
            wall_axis.axhline(r["wall_s"], color=color, linestyle=style, label=label)
    wall_axis.set(xlabel="services", ylabel="synth wall time (s)", title="cdk synth time")
    size_axis.set(xlabel="services", ylabel="template KiB (all stacks)", title="template size")
    for axis in (wall_axis, size_axis):
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def node_version() -> str:
    node = os.environ.get("JSII_NODE") or shutil.which("node") or "node"
    try:
        return subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1,10,30,100")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="run only this library's app at N services (sharded) and write bench/scale.md",
    )
    parser.add_argument("--out", type=Path, default=BENCH)
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=QUIET_LOAD,
        help="largest median load average at which the targets are judged",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = [(k, 1) for k in REFERENCE_KINDS] + [(k, n) for n in sizes for k in SIZED_KINDS]
    if args.scale is not None:
        cases = [("ours", args.scale)]
    runs = []
    for rep in range(args.reps):
        shift = rep % len(cases)
        for kind, services in cases[shift:] + cases[:shift]:
            result = run_case(kind, services)
            runs.append(result)
            print(
                f"rep {rep + 1} {kind:25} N={services:3} {result['wall_s']:6.2f}s "
                f"{result['cpu_s']:6.2f}s CPU {result['peak_rss_mib']:6.0f} MiB "
                f"{result['resources']:5} resources  load {result['load']:.2f}",
                flush=True,
            )
    rows = summarize(runs)
    loads = [r["load"] for r in runs]
    command = (
        f"./dev bench --scale {args.scale} --reps {args.reps}"
        if args.scale is not None
        else f"./dev bench --sizes {args.sizes} --reps {args.reps}"
    )
    meta = {
        "command": command,
        "node": node_version(),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "reps": args.reps,
        "load_median": statistics.median(loads),
        "load_max": max(loads),
        "quiet_load": args.quiet_load,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    if args.scale is not None:
        report = render_scale(runs, meta)
        (args.out / "scale.md").write_text(report)
        print(report)
        return
    (args.out / "results.json").write_text(
        json.dumps({"meta": meta, "runs": runs, "medians": rows}, indent=2)
    )
    report = render(rows, meta)
    (args.out / "results.md").write_text(report)
    plot(rows, args.out / "synth.png")
    print(report)


if __name__ == "__main__":
    main()
