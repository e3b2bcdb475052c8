#!/usr/bin/env python3
"""The shop delivered by CDK Pipelines: dev, then staging, then production in two regions.

    cd examples/pipeline && cdk synth       # offline: the zones are in cdk.context.json
    cdk deploy ShopDelivery                 # once, from a workstation, into the tooling account

After that first deploy the pipeline updates itself from the repository (self-mutation) and
deploys every environment; see docs/guide/many-services.md, "Delivering to several accounts
with CDK Pipelines".
"""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from delivery import CONFIG, DeliveryPipelineStack


def build(app: cdk.App) -> DeliveryPipelineStack:
    """Define the pipeline stack, and through it every stage, in ``app`` (tests call this)."""
    return DeliveryPipelineStack(app, "ShopDelivery", config=CONFIG)


def main() -> None:
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
    )
    app.synth()


if __name__ == "__main__":
    main()
