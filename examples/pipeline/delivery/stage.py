"""One environment of the shop: what each wave of the pipeline deploys, as a CDK stage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from cdk_nag import WriteNagSuppressionsToCloudFormationAspect
from constructs import Construct

from constructs_ecs import (
    ImageRepositoryLike,
    PlainHttp,
    PlatformStack,
    Routing,
    ServicesStack,
    TaskDefinitionSpec,
    WebService,
)

from .config import DomainConfig, EnvironmentConfig, ServiceConfig, ToolingConfig

__all__ = ["CertificateStack", "ShopStage"]


class CertificateStack(cdk.Stack):
    """The environment's ACM certificate, validated through its hosted zone.

    A stack of its own because ``PlatformStack`` takes the certificate when it is created.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, domain: DomainConfig, **props: Any
    ) -> None:
        super().__init__(scope, construct_id, **props)
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=domain.hosted_zone_id, zone_name=domain.hosted_zone_name
        )
        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=domain.name,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        """The ``acm.Certificate`` of ``domain.name``."""


class ShopStage(cdk.Stage):
    """The platform and its services stacks in one environment.

    Stacks: ``Certificate`` (with a domain only), ``Platform``, then one ``ServicesStack`` per
    distinct ``ServiceConfig.stack``. Images come from the tooling account's repositories.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: EnvironmentConfig,
        tooling: ToolingConfig,
        services: tuple[ServiceConfig, ...],
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=environment.account, region=environment.region),
        )
        # Acknowledged cdk-nag findings go into the templates' metadata (for reviewers) through
        # an aspect, and aspects stop at a stage's boundary: the app's does not reach here.
        cdk.Aspects.of(self).add(WriteNagSuppressionsToCloudFormationAspect())
        certificate: acm.ICertificate | None = None
        if environment.domain is not None:
            certificate = CertificateStack(
                self, "Certificate", domain=environment.domain
            ).certificate
        self.platform = PlatformStack(
            self,
            "Platform",
            instance_type=ec2.InstanceType(environment.instance_type),
            min_capacity=environment.min_capacity,
            max_capacity=environment.max_capacity,
            certificate=certificate,
            plain_http=None
            if certificate
            else PlainHttp(
                reason=f"{environment.name} has no domain: it is reached on the load "
                "balancer's own DNS name, which no public certificate can name."
            ),
        )
        """The ``PlatformStack``: network, cluster, load balancer."""
        if environment.domain is not None:
            _alias(self.platform, environment.domain)
        self.services: dict[str, ServicesStack] = {}
        """The ``ServicesStack``s by id."""
        for service in services:
            stack = self.services.get(service.stack)
            if stack is None:
                stack = ServicesStack(self, service.stack, platform=self.platform)
                self.services[service.stack] = stack
            WebService(
                stack,
                service.name.capitalize(),
                cluster=stack.cluster,
                load_balancer=stack.load_balancer,
                task_definition=_task_definition(service, _repository(stack, service, tooling)),
                desired_count=environment.desired_count,
                routing=Routing(path_patterns=list(service.path_patterns)),
            )


def _alias(platform: PlatformStack, domain: DomainConfig) -> None:
    """Point ``domain.name`` at the platform's load balancer."""
    zone = route53.HostedZone.from_hosted_zone_attributes(
        platform, "Zone", hosted_zone_id=domain.hosted_zone_id, zone_name=domain.hosted_zone_name
    )
    route53.ARecord(
        platform,
        "Alias",
        zone=zone,
        record_name=domain.name,
        target=route53.RecordTarget.from_alias(
            targets.LoadBalancerTarget(platform.load_balancer.load_balancer)
        ),
    )


def _repository(
    scope: cdk.Stack, service: ServiceConfig, tooling: ToolingConfig
) -> ecr.IRepository:
    """The tooling account's repository of ``service`` (it grants this account pull)."""
    arn = scope.format_arn(
        service="ecr",
        account=tooling.account,
        region=tooling.region,
        resource="repository",
        resource_name=service.repository_name,
    )
    return ecr.Repository.from_repository_attributes(
        scope,
        f"{service.name.capitalize()}Images",
        repository_arn=arn,
        repository_name=service.repository_name,
    )


def _task_definition(service: ServiceConfig, repository: ecr.IRepository) -> TaskDefinitionSpec:
    document: Mapping[str, Any] = {
        "family": service.name,
        "containerDefinitions": [
            {
                "name": service.name,
                "image": f"{service.name}:{service.tag}",
                "memory": service.memory_mib,
                "portMappings": [{"containerPort": service.container_port}],
            }
        ],
    }
    # from_dict takes an ecr.IRepository as well as an ImageRepository; its annotation names
    # only the latter's protocol.
    repositories = cast(Mapping[str, ImageRepositoryLike], {service.name: repository})
    return TaskDefinitionSpec.from_dict(document, repositories=repositories)
