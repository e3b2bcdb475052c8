"""One version, said the same in three places: ``constructs_ecs.__version__`` (from
``constructs_ecs/_version.py``, the one source), the installed distribution's metadata (what
``pyproject.toml`` read from it) and the newest release of ``CHANGELOG.md``. Fast: nothing is
built (``./dev dist`` builds and checks the wheel and sdist)."""

from __future__ import annotations

import re
from importlib import metadata

import constructs_ecs
from tests.changelog import releases

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")


def test_version_is_a_semantic_version() -> None:
    assert SEMVER.match(constructs_ecs.__version__), constructs_ecs.__version__


def test_version_is_the_installed_metadata_version() -> None:
    installed = metadata.version("constructs-ecs")
    assert constructs_ecs.__version__ == installed, (
        f"constructs_ecs/_version.py says {constructs_ecs.__version__}, the installed "
        f"metadata {installed}: install the package again (./dev setup does after a bump)"
    )


def test_version_is_the_newest_changelog_release() -> None:
    newest = releases()[0]
    assert newest.version == constructs_ecs.__version__, (
        f"CHANGELOG.md's newest release is [{newest.version}], constructs_ecs/_version.py says "
        f"{constructs_ecs.__version__}: a release bumps both, adding its section "
        f"`## [{constructs_ecs.__version__}] - YYYY-MM-DD` (docs/guide/upgrading.md)"
    )
