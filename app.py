#!/usr/bin/env python3
"""Reference app: the concept's ``examples/webserver.json`` behind the shared load balancer.

    ./dev synth                                   # synthesize into cdk.out/
    ./dev synth -c instance_type=m7g.large -c desired_count=3 -c max_capacity=6
    npx cdk deploy --all                          # from a workstation with AWS credentials

Context values (``-c key=value`` or ``cdk.json``):
    instance_type     EC2 instance type of the cluster (default ``t3.medium``)
    desired_count     tasks of the web service (default 2)
    max_capacity      most instances in the Auto Scaling group (default 4)
    certificate_arn   ACM certificate for HTTPS on the load balancer (default: plain HTTP,
                      a decision made in build() with its reason)
"""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks

from constructs_ecs import (
    EcsCluster,
    LoadBalancer,
    Network,
    PlainHttp,
    TaskDefinitionSpec,
    WebService,
)

HERE = Path(__file__).resolve().parent


def build(app: cdk.App, *, env: cdk.Environment | None = None) -> cdk.Stack:
    """Define the reference stack in ``app``, in ``env`` (tests call this too).

    Default ``env``: environment-agnostic.
    """
    context = app.node
    instance_type = str(context.try_get_context("instance_type") or "t3.medium")
    desired_count = int(context.try_get_context("desired_count") or 2)
    max_capacity = int(context.try_get_context("max_capacity") or 4)
    certificate_arn = context.try_get_context("certificate_arn")

    stack = cdk.Stack(
        app,
        "WebserverStack",
        env=env,
        description="constructs_ecs reference app: examples/webserver.json on ECS on EC2",
    )
    network = Network(stack, "Network")
    cluster = EcsCluster(
        stack,
        "Cluster",
        vpc=network.vpc,
        instance_type=ec2.InstanceType(instance_type),
        min_capacity=1,
        max_capacity=max_capacity,
    )
    certificate = (
        acm.Certificate.from_certificate_arn(stack, "Certificate", certificate_arn)
        if certificate_arn
        else None
    )
    load_balancer = LoadBalancer(
        stack,
        "LoadBalancer",
        vpc=network.vpc,
        certificates=[certificate] if certificate else [],
        plain_http=None
        if certificate
        else PlainHttp(
            reason="The reference app without certificate_arn: the concept's nginx example, "
            "with no domain of its own and no user data to protect in transit."
        ),
        # People deploy this app to try it, then `cdk destroy` it: with deletion protection on
        # (the library's default) the destroy would fail at the load balancer. A production app
        # keeps it on, and turns it off in a deploy of its own before destroying.
        deletion_protection=False,
    )
    webserver = WebService(
        stack,
        "Webserver",
        cluster=cluster,
        load_balancer=load_balancer,
        task_definition=TaskDefinitionSpec.from_file(HERE / "examples" / "webserver.json"),
        desired_count=desired_count,
    )
    cdk.Annotations.of(webserver).acknowledge_warning(
        "@constructs-ecs/services:mutableTagPulledOnce",
        "The concept's example runs nginx untagged, as written; a real service pins a tag or "
        "a digest, since each instance pulls an image once.",
    )
    cdk.CfnOutput(
        stack,
        "Url",
        value=f"http{'s' if certificate else ''}://{load_balancer.load_balancer.load_balancer_dns_name}",
    )
    return stack


def main() -> None:
    app = cdk.App()
    # Environment-agnostic unless the CDK CLI knows the account and region (cdk deploy with
    # credentials): then the stack targets them, and CDK looks up their Availability Zones
    # (the CLI records them in cdk.context.json, which is committed).
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    build(app, env=cdk.Environment(account=account, region=region) if account and region else None)
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
    )
    app.synth()


if __name__ == "__main__":
    main()
