"""The aspect that gathers an ECS cluster's capacity provider association into a dependency
group (CDK adds the association late, by an aspect of its own)."""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ecs as ecs
from constructs import DependencyGroup, IConstruct

__all__ = ["CollectAssociation"]


@jsii.implements(cdk.IAspect)
class CollectAssociation:
    """Adds the cluster's capacity provider association (made by a CDK aspect) to a group."""

    def __init__(self, cluster: ecs.Cluster, group: DependencyGroup) -> None:
        self._cluster = cluster
        self._group = group

    def visit(self, node: IConstruct) -> None:
        if node is not self._cluster:
            return
        for child in node.node.children:
            if isinstance(child, ecs.CfnClusterCapacityProviderAssociations):
                self._group.add(child)
