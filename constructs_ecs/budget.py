"""The per-stack resource budget: fail at synth, not 20 minutes into a deploy.

CloudFormation rejects a stack of more than 500 resources when it is deployed. Every stack that
holds one of this library's workloads is checked against ``RESOURCE_BUDGET`` (450, leaving room
for what a user adds by hand) when it is synthesized, and synthesis fails with the stack's name
and count. The fix is to put services in several ``ServicesStack``s on one ``PlatformStack``.
"""

from __future__ import annotations

import weakref

import aws_cdk as cdk
import jsii
from constructs import IConstruct, IValidation

__all__ = ["RESOURCE_BUDGET", "enforce_resource_budget"]

RESOURCE_BUDGET = 450
"""Most resources this library lets one stack hold (CloudFormation's hard limit is 500)."""

_CHECKED: weakref.WeakSet[cdk.Stack] = weakref.WeakSet()


@jsii.implements(IValidation)
class _ResourceBudget:
    def __init__(self, stack: cdk.Stack, budget: int) -> None:
        self._stack = stack
        self._budget = budget

    def validate(self) -> list[str]:
        stack = self._stack
        # Resources of nested stacks count too (conservative, and one jsii call cheaper each).
        count = sum(1 for child in stack.node.find_all() if isinstance(child, cdk.CfnResource))
        if count <= self._budget:
            return []
        return [
            f"stack {stack.stack_name!r} defines {count} resources, over this library's budget of "
            f"{self._budget} (CloudFormation rejects more than 500 at deploy): move services "
            "into more ServicesStacks on the same PlatformStack (README: 'Many services')"
        ]


def enforce_resource_budget(scope: IConstruct, budget: int = RESOURCE_BUDGET) -> None:
    """Fail synthesis when the stack of ``scope`` holds more than ``budget`` resources.

    Called by every service of this library for its own stack; idempotent per stack.
    """
    stack = scope if isinstance(scope, cdk.Stack) else cdk.Stack.of(scope)
    if stack in _CHECKED:
        return
    _CHECKED.add(stack)
    stack.node.add_validation(_ResourceBudget(stack, budget))
