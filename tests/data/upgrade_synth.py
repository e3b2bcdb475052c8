"""Synthesize the reference app and ``upgrade_platform`` with the ``constructs_ecs`` that
``PYTHONPATH`` puts first (run by ``tests/test_upgrade.py`` in a subprocess).

    CDK_OUTDIR=OUTDIR/reference CDK_CONTEXT_JSON=... python upgrade_synth.py OUTDIR

Run in the root of a tree (the previous release's or the working tree): that tree's
``app.py`` runs as ``cdk synth`` runs it, with the context the CDK CLI would pass (the tree's
``cdk.json`` and ``cdk.context.json`` in ``CDK_CONTEXT_JSON``, and ``CDK_OUTDIR``, both set by
the caller); then ``upgrade_platform.build`` (next to this file) into
``OUTDIR/platform``. Prints one JSON line first: the ``constructs_ecs`` that was imported.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path


def main() -> None:
    outdir = Path(sys.argv[1]).resolve()
    import constructs_ecs

    print(json.dumps({"constructs_ecs": constructs_ecs.__file__}), flush=True)

    runpy.run_path("app.py", run_name="__main__")

    import aws_cdk as cdk

    context = json.loads(os.environ["CDK_CONTEXT_JSON"])
    app = cdk.App(outdir=str(outdir / "platform"), context=context, analytics_reporting=False)
    platform = runpy.run_path(str(Path(__file__).with_name("upgrade_platform.py")))
    platform["build"](app)
    app.synth()


if __name__ == "__main__":
    main()
