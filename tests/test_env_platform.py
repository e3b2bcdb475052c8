"""A full platform, every construct and every option that changes IAM or region-dependent
resources, in every environment of ``tests.environments``."""

from __future__ import annotations

import pytest

from tests.environments import (
    ENVIRONMENTS,
    REGIONS,
    check_acknowledgements,
    check_environment,
    full_platform,
)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_synthesizes_clean(name: str) -> None:
    check_environment(full_platform, name, lint=lambda stack: True)


@pytest.mark.parametrize("name", REGIONS)
def test_acknowledges_what_the_agnostic_app_acknowledges(name: str) -> None:
    check_acknowledgements(full_platform, name)
