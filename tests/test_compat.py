"""The declared ranges are the tested ones: `./dev compat` pins each floor pyproject.toml states."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
COMPAT = REPO / "requirements" / "compat.txt"


def declared() -> dict[str, SpecifierSet]:
    """Each dependency's range, the library's and the test kit's."""
    project = PYPROJECT["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["testing"]]
    return {(r := Requirement(line)).name.lower(): r.specifier for line in lines}


def pinned() -> dict[str, str]:
    pins = {}
    for line in COMPAT.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", line.strip())
        if match:
            pins[match[1].lower()] = match[2]
    return pins


def floor(specifier: SpecifierSet) -> str:
    return next(s.version for s in specifier if s.operator == ">=")


@pytest.mark.parametrize("package", ["aws-cdk-lib", "constructs", "jsii", "cdk-nag"])
def test_compat_venv_pins_the_declared_floor(package: str) -> None:
    assert pinned()[package] == floor(declared()[package])


def test_compat_venv_tests_cdk_nag_2_and_the_main_venv_cdk_nag_3() -> None:
    dev_lock = (REPO / "requirements" / "dev.lock").read_text(encoding="utf-8")
    assert pinned()["cdk-nag"].startswith("2.")
    assert re.search(r"^cdk-nag==3\.", dev_lock, re.M)
    assert declared()["cdk-nag"].contains("2.38.2")
    assert declared()["cdk-nag"].contains("3.0.2")


@pytest.mark.parametrize("package", ["aws-cdk-lib", "constructs", "jsii", "cdk-nag"])
def test_this_venv_is_within_the_declared_range(package: str) -> None:
    assert declared()[package].contains(version(package)), (package, version(package))
