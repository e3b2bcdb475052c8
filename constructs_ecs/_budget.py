"""The per-stack resource budget: fail at synth, not 20 minutes into a deploy.

CloudFormation rejects a stack of more than 500 resources when it is deployed. Every stack that
holds one of this library's workloads is checked against ``RESOURCE_BUDGET`` (450, leaving room
for what a user adds by hand) when it is synthesized, and synthesis fails with the stack's name
and count. The fix is to put services in several ``ServicesStack``s on one ``PlatformStack``.
"""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from constructs import Construct, IConstruct, IValidation

from constructs_ecs._arguments import checked
from constructs_ecs._errors import ConfigurationError

__all__ = ["RESOURCE_BUDGET", "ResourceBudget", "enforce_resource_budget"]

RESOURCE_BUDGET = 450
"""Most resources this library lets one stack hold (CloudFormation's hard limit is 500)."""
CLOUDFORMATION_LIMIT = 500
"""Resources per stack (a CloudFormation quota)."""


@jsii.implements(IValidation)
class ResourceBudget(Construct):
    """Defines nothing: the one validator of a stack's resource count, a child of the stack
    named ``ResourceBudget``. It applies the smallest budget asked for."""

    def __init__(self, stack: cdk.Stack, construct_id: str) -> None:
        super().__init__(stack, construct_id)
        self._stack = stack
        self.budget = RESOURCE_BUDGET
        """Most resources the stack may hold."""
        self.node.add_validation(self)

    def validate(self) -> list[str]:
        stack = self._stack
        # Resources of nested stacks count too (conservative).
        count = sum(1 for child in stack.node.find_all() if isinstance(child, cdk.CfnResource))
        if count <= self.budget:
            return []
        return [
            f"stack {stack.stack_name!r} defines {count} resources, over this library's budget of "
            f"{self.budget} (CloudFormation rejects more than {CLOUDFORMATION_LIMIT} at deploy): "
            "move services into more ServicesStacks on the same PlatformStack (docs/guide/"
            "many-services.md)"
        ]


@checked()
def enforce_resource_budget(scope: IConstruct, budget: int = RESOURCE_BUDGET) -> ResourceBudget:
    """Fail synthesis when the stack of ``scope`` holds more than ``budget`` resources.

    Every service of this library calls it for its own stack. Called several times for one
    stack, the smallest budget applies, whenever it was asked for. Returns the stack's
    ``ResourceBudget``.
    """
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ConfigurationError(
            "budget", budget, f"a whole number of resources, at most {CLOUDFORMATION_LIMIT}"
        )
    if budget > CLOUDFORMATION_LIMIT:
        raise ConfigurationError(
            "budget",
            budget,
            f"at most {CLOUDFORMATION_LIMIT}: CloudFormation rejects a larger stack at deploy",
        )
    stack = scope if isinstance(scope, cdk.Stack) else cdk.Stack.of(scope)
    existing = stack.node.try_find_child("ResourceBudget")
    validator = (
        existing
        if isinstance(existing, ResourceBudget)
        else ResourceBudget(stack, "ResourceBudget")
    )
    validator.budget = min(validator.budget, budget)
    return validator
