"""The fixed floor of every synth: where the time of ``python app.py`` goes, and what it costs.

    .venv/bin/python bench/floor.py --reps 7          # or: ./dev shell-free, as below
    PATH=$PWD/.venv/bin:$PATH python bench/floor.py --reps 7 --app app.py

Runs ``python app.py`` (``CDK_OUTDIR`` set to a temporary directory, ``CDK_CONTEXT_JSON`` to
``cdk.json``'s context, as the CDK CLI does) in fresh processes under several environments,
interleaved, and reports medians of each phase, measured inside the process by wrapping jsii's
kernel start and stop and ``App.synth``:

- start-up: the Python interpreter until the app's first line;
- import: ``import aws_cdk`` (Node and the jsii kernel start, aws-cdk-lib's assembly loads);
- build: the app's constructs;
- synth: ``App.synth()``, including the built-in template validation;
- node exit: jsii's kernel stop, from the exit request until Node has exited;
- finalization: from there until the Python process has exited.

A second part (``--engine``) runs aws-cdk-lib's validation engine
(``@aws/cloudformation-validate``, WebAssembly) directly in Node on the app's template:
module compilation, engine construction, each validation, and how long Node takes to exit
afterwards, with and without V8's WebAssembly tier-up. See ``bench/FLOOR.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

VARIANTS: dict[str, dict[str, str]] = {
    "default": {},
    "CDK_VALIDATION=false": {"CDK_VALIDATION": "false"},
    "JSII_RUNTIME_PACKAGE_CACHE=disabled": {"JSII_RUNTIME_PACKAGE_CACHE": "disabled"},
    "JSII_RUNTIME_PACKAGE_CACHE_TTL=36500": {"JSII_RUNTIME_PACKAGE_CACHE_TTL": "36500"},
    "node --liftoff-only": {"JSII_NODE": "<wrapper>"},
}

ENGINE_JS = r"""
const [lib, template] = process.argv.slice(2);
const path = require('path');
const fs = require('fs');
const wall = {}, cpu = {};
const mark = (name) => {
  const u = process.cpuUsage();
  wall[name] = Date.now();
  cpu[name] = (u.user + u.system) / 1000;
};
mark('begin');
const cfv = require(path.join(lib, 'node_modules/@aws/cloudformation-validate'));
mark('module');
const rules = path.join(lib, 'core/lib/validation/rules');
const regoRules = fs.readdirSync(rules).filter(f => f.endsWith('.rego'))
  .map(f => ({name: f, content: fs.readFileSync(path.join(rules, f), 'utf-8')}));
const engine = new cfv.CompositeEngine({regoRules});
mark('engine');
const options = {detailLevel: 'STANDARD', pseudoParameterOverrides: {}, severityLevel: 'WARN',
  exclude: {ids: ['W3005', 'W1020', 'E1018', 'W9002', 'W9013', 'W1103'], services: []}};
for (const i of [1, 2]) {
  engine.validateTemplate(new cfv.TemplateFile(template), options);
  mark(`validate ${i}`);
}
process.stdout.write(JSON.stringify({wall, cpu}) + '\n');
process.exit(0);
"""


def probe(app: str) -> None:
    """Run ``app`` as ``__main__``, writing each phase's wall-clock time and CPU time (this
    process and jsii's Node processes) to the file named by ``FLOOR_MARKS``."""
    wall: dict[str, float] = {"begin": time.time()}
    cpu: dict[str, float] = {}
    out = Path(os.environ["FLOOR_MARKS"])
    nodes: list[int] = []

    def node_cpu() -> float:
        total = 0.0
        pids = list(nodes)
        for pid in nodes:
            with contextlib.suppress(OSError):
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
                pids += [int(child) for child in children.split()]
        for pid in pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def mark(name: str) -> None:
        wall[name] = time.time()
        cpu[name] = time.process_time() + node_cpu()

    mark("begin")
    import jsii._kernel.providers.process as provider

    start, stop = provider._NodeProcess.start, provider._NodeProcess.stop

    def tracked_start(self: Any) -> None:
        start(self)
        nodes.append(self._process.pid)

    def timed_stop(self: Any) -> None:
        mark("stop")
        stop(self)
        wall["stopped"] = time.time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu["stopped"] = time.process_time() + children.ru_utime + children.ru_stime
        out.write_text(json.dumps({"wall": wall, "cpu": cpu}))

    provider._NodeProcess.start = tracked_start  # type: ignore[method-assign]
    provider._NodeProcess.stop = timed_stop  # type: ignore[method-assign]
    import aws_cdk as cdk

    mark("imported")
    synth = cdk.App.synth

    def timed_synth(self: Any, *args: Any, **kwargs: Any) -> Any:
        mark("synth")
        result = synth(self, *args, **kwargs)
        mark("synthesized")
        return result

    cdk.App.synth = timed_synth  # type: ignore[method-assign]
    sys.argv = [app]
    sys.path.insert(0, str(Path(app).resolve().parent))
    runpy.run_path(app, run_name="__main__")


def context_json() -> str:
    return json.dumps(json.loads((REPO / "cdk.json").read_text())["context"])


def phases(marks: dict[str, float], begin: float, end: float) -> dict[str, float]:
    return {
        "start-up": marks["begin"] - begin,
        "import": marks["imported"] - marks["begin"],
        "build": marks["synth"] - marks["imported"],
        "synth": marks["synthesized"] - marks["synth"],
        "node exit": marks["stopped"] - marks["stop"],
        "finalization": end - marks["stopped"],
        "total": end - begin,
    }


def run_app(app: str, env_extra: dict[str, str], wrapper: Path) -> dict[str, dict[str, float]]:
    """One run of ``app``: ``{"wall": phases, "cpu": phases}`` in seconds."""
    with tempfile.TemporaryDirectory(prefix="floor-") as outdir, tempfile.TemporaryFile() as err:
        marks_file = Path(outdir) / "marks.json"
        env = {
            **os.environ,
            "CDK_OUTDIR": str(Path(outdir) / "cdk.out"),
            "CDK_CONTEXT_JSON": context_json(),
            "FLOOR_MARKS": str(marks_file),
            **{k: (str(wrapper) if v == "<wrapper>" else v) for k, v in env_extra.items()},
        }
        begin = time.time()
        process = subprocess.Popen(
            [sys.executable, __file__, "--probe", app],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        end = time.time()
        if status != 0:
            err.seek(0)
            raise SystemExit(f"{app} failed with {env_extra}:\n{err.read().decode()[-3000:]}")
        m = json.loads(marks_file.read_text())
    # The interpreter's CPU before the app's first line is in the first mark already.
    return {
        "wall": phases(m["wall"], begin, end),
        "cpu": phases(m["cpu"], 0.0, usage.ru_utime + usage.ru_stime),
    }


def run_engine(node: str, flags: list[str], template: Path) -> dict[str, dict[str, float]]:
    """aws-cdk-lib's validation engine alone on ``template``: ``{"wall": ..., "cpu": ...}``
    per step, in milliseconds."""
    lib = aws_cdk_lib_dir()
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as script:
        script.write(ENGINE_JS)
    try:
        begin = time.time() * 1000
        process = subprocess.Popen(
            [node, *flags, script.name, str(lib), str(template)], stdout=subprocess.PIPE
        )
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        end = time.time() * 1000
    finally:
        os.unlink(script.name)
    if status != 0:
        raise SystemExit(f"the validation engine failed ({node} {flags})")
    data = json.loads(output)

    def steps(m: dict[str, float], start: float, stop: float) -> dict[str, float]:
        return {
            "node start": m["begin"] - start,
            "load module": m["module"] - m["begin"],
            "construct engine": m["engine"] - m["module"],
            "validate 1st": m["validate 1"] - m["engine"],
            "validate 2nd": m["validate 2"] - m["validate 1"],
            "exit": stop - m["validate 2"],
            "total": stop - start,
        }

    return {
        "wall": steps(data["wall"], begin, end),
        "cpu": steps(data["cpu"], 0.0, (usage.ru_utime + usage.ru_stime) * 1000),
    }


def aws_cdk_lib_dir() -> Path:
    """aws-cdk-lib as jsii extracted it (its package cache)."""
    root = Path(
        os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
        or Path.home() / ".cache" / "aws" / "jsii" / "package-cache"
    )
    found = sorted(root.glob("aws-cdk-lib/*/*/node_modules/@aws/cloudformation-validate"))
    if not found:
        raise SystemExit(f"aws-cdk-lib not found in jsii's package cache {root}: synth once")
    return found[-1].parents[2]


def table(
    title: str, unit: str, rows: dict[str, list[dict[str, dict[str, float]]]], clock: str
) -> str:
    columns = list(next(iter(rows.values()))[0][clock])
    lines = [
        f"| {title}, {clock} ({unit}) | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    fmt = "{:.0f}" if unit == "ms" else "{:.2f}"
    for name, runs in rows.items():
        cells = [statistics.median(r[clock][c] for r in runs) for c in columns]
        lines.append(f"| {name} | " + " | ".join(fmt.format(c) for c in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--app", default=str(REPO / "app.py"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--no-engine", action="store_true")
    args = parser.parse_args()
    if args.probe:
        probe(args.probe)
        return
    node = os.environ.get("JSII_NODE") or shutil.which("node") or "node"
    variants = [v for v in VARIANTS if v in args.variants.split(",")]
    results: dict[str, list[dict[str, dict[str, float]]]] = {v: [] for v in variants}
    engine: dict[str, list[dict[str, dict[str, float]]]] = {
        "node": [],
        "node --liftoff-only": [],
    }
    loads = []
    with tempfile.TemporaryDirectory(prefix="floor-node-") as tmp:
        wrapper = Path(tmp) / "node"
        wrapper.write_text(f'#!/bin/sh\nexec "{node}" --liftoff-only "$@"\n')
        wrapper.chmod(0o755)
        template = Path(tmp) / "template.json"
        for rep in range(args.reps):
            for variant in variants:
                loads.append(os.getloadavg()[0])
                result = run_app(args.app, VARIANTS[variant], wrapper)
                results[variant].append(result)
                print(
                    f"rep {rep + 1} {variant:37} "
                    + " ".join(
                        f"{k} {result['wall'][k]:.2f}/{result['cpu'][k]:.2f}"
                        for k in result["wall"]
                    ),
                    flush=True,
                )
            if args.no_engine:
                continue
            if not template.exists():
                synth_template(args.app, template)
            for name in engine:
                loads.append(os.getloadavg()[0])
                result = run_engine(node, name.split()[1:], template)
                engine[name].append(result)
                print(
                    f"rep {rep + 1} engine {name:30} "
                    + " ".join(
                        f"{k} {result['wall'][k]:.0f}/{result['cpu'][k]:.0f}"
                        for k in result["wall"]
                    ),
                    flush=True,
                )
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    print()
    print(
        f"`bench/floor.py {' '.join(sys.argv[1:])}`: {args.reps} runs each, interleaved, "
        f"medians; Node {version}; 1-minute load average median {statistics.median(loads):.2f} "
        f"on {os.cpu_count()} CPUs. CPU: user + system of every process and thread."
    )
    for clock in ("wall", "cpu"):
        print()
        print(table(f"python {Path(args.app).name}", "s", results, clock))
    if not args.no_engine:
        for clock in ("wall", "cpu"):
            print()
            print(table("validation engine alone", "ms", engine, clock))


def synth_template(app: str, template: Path) -> None:
    """The app's (first) template, for the engine-alone measurement."""
    with tempfile.TemporaryDirectory(prefix="floor-synth-") as outdir:
        env = {**os.environ, "CDK_OUTDIR": outdir, "CDK_CONTEXT_JSON": context_json()}
        subprocess.run([sys.executable, app], env=env, check=True, capture_output=True, cwd=REPO)
        first = sorted(Path(outdir).glob("*.template.json"))[0]
        shutil.copy(first, template)


if __name__ == "__main__":
    main()
