"""Every ```python block of the README, each in a Stage, in every environment of
``tests.environments``."""

from __future__ import annotations

import pytest

from tests.environments import (
    ENVIRONMENTS,
    REGIONS,
    check_acknowledgements,
    check_environment,
    readme_examples,
)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_synthesizes_clean(name: str) -> None:
    """cdk-nag checks every block in every environment; cfn-lint every block's template in
    the agnostic app, for all six regions. In a concrete environment the blocks change the
    way the full platform and the reference app do (``test_env_platform``,
    ``test_env_reference``), whose templates cfn-lint checks there: linting the README's 15
    stacks again in each region would add a minute to the suite."""
    check_environment(readme_examples, name, lint=lambda stack: name == "agnostic")


@pytest.mark.parametrize("name", REGIONS)
def test_acknowledges_what_the_agnostic_app_acknowledges(name: str) -> None:
    check_acknowledgements(readme_examples, name)
