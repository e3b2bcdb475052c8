"""The reference app (app.py) as `cdk deploy` with credentials synthesizes it, in every
environment of ``tests.environments``."""

from __future__ import annotations

import pytest

from tests.environments import (
    ENVIRONMENTS,
    REGIONS,
    check_acknowledgements,
    check_environment,
    reference_app,
)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_synthesizes_clean(name: str) -> None:
    check_environment(reference_app, name, lint=lambda stack: True)


@pytest.mark.parametrize("name", REGIONS)
def test_acknowledges_what_the_agnostic_app_acknowledges(name: str) -> None:
    check_acknowledgements(reference_app, name)
