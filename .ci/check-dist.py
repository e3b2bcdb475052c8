"""Check what ``./dev dist`` built: ``python .ci/check-dist.py dist``.

The wheel holds the package (its modules, which ``_arguments`` reads back with
``inspect.getsource``, and ``py.typed``) and its metadata, nothing else; the sdist holds the
package, ``pyproject.toml``, the README, CHANGELOG and LICENSE, and no tests.
"""

from __future__ import annotations

import runpy
import sys
import tarfile
import zipfile
from pathlib import Path

# The one version source, read without importing the package (and aws-cdk-lib with it).
VERSION_FILE = Path(__file__).resolve().parents[1] / "constructs_ecs" / "_version.py"
__version__ = str(runpy.run_path(str(VERSION_FILE))["__version__"])


def main(folder: Path) -> int:
    wheel = folder / f"constructs_ecs-{__version__}-py3-none-any.whl"
    sdist = folder / f"constructs_ecs-{__version__}.tar.gz"
    problems = [f"missing: {path}" for path in (wheel, sdist) if not path.exists()]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    dist_info = f"constructs_ecs-{__version__}.dist-info/"
    problems += [
        f"{wheel.name}: {name} is neither the package nor its metadata"
        for name in names
        if not name.startswith(("constructs_ecs/", dist_info))
    ]
    for needed in (
        "constructs_ecs/py.typed",
        "constructs_ecs/review/__main__.py",
        f"{dist_info}licenses/LICENSE",
    ):
        if needed not in names:
            problems.append(f"{wheel.name}: {needed} is missing")
    root = f"constructs_ecs-{__version__}/"
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    for needed in (
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "constructs_ecs/py.typed",
    ):
        if root + needed not in members:
            problems.append(f"{sdist.name}: {needed} is missing")
    problems += [
        f"{sdist.name}: {m} (tests stay in the repository)"
        for m in members
        if m.startswith(root + "tests/")
    ]
    print(
        "\n".join(problems)
        or f"dist: {wheel.name} ({len(names)} files), {sdist.name} ({len(members)} members)",
        file=sys.stderr if problems else sys.stdout,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
