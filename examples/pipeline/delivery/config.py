"""Every environment-specific setting of the shop, in one typed place.

One frozen dataclass per environment (``EnvironmentConfig``), grouped into waves that deploy
one after the other; the stage and pipeline code read these values and hold no literal of
their own, so an environment differs from another only here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CONFIG",
    "DeliveryConfig",
    "DomainConfig",
    "EnvironmentConfig",
    "ServiceConfig",
    "ToolingConfig",
    "WaveConfig",
]


@dataclass(frozen=True, kw_only=True)
class DomainConfig:
    """The HTTPS name of an environment's load balancer, in a public hosted zone of the
    environment's own account (ACM validates the certificate through it, and the alias record
    that points the name at the load balancer goes in it)."""

    name: str
    """The fully qualified domain name, e.g. ``"eu.shop.example.com"``."""
    hosted_zone_id: str
    """The Route 53 hosted zone's id, e.g. ``"Z0123456789ABCDEFGHIJ"``."""
    hosted_zone_name: str
    """The hosted zone's name, e.g. ``"shop.example.com"``."""


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One deployment target: an account and region, and what differs there."""

    name: str
    """The CDK stage's id (PascalCase): its stacks are named ``<name>-Platform`` and so on."""
    account: str
    """The 12-digit AWS account, bootstrapped with ``--trust`` the tooling account."""
    region: str
    """The AWS region."""
    instance_type: str = "t3.medium"
    """The cluster's EC2 instance type. Default: ``t3.medium``."""
    min_capacity: int = 1
    """Fewest cluster instances. Default: 1."""
    max_capacity: int = 4
    """Most cluster instances. Default: 4."""
    desired_count: int = 2
    """Tasks of each web service. Default: 2."""
    domain: DomainConfig | None = None
    """HTTPS on this name, with a DNS-validated ACM certificate. Default: plain HTTP (a
    ``PlainHttp`` decision the stage makes, with its reason), on the load balancer's own DNS
    name."""


@dataclass(frozen=True, kw_only=True)
class WaveConfig:
    """Environments deployed together (in parallel), after the previous wave succeeded."""

    name: str
    """The pipeline stage's name."""
    environments: tuple[EnvironmentConfig, ...]
    """What the wave deploys to."""
    approval: bool = False
    """Wait for a person to approve, after the review reports, before deploying. Default: no."""


@dataclass(frozen=True, kw_only=True)
class ServiceConfig:
    """A web service: its image in the tooling account, its stack and its route."""

    name: str
    """Construct id and task family, e.g. ``"web"``."""
    repository_name: str
    """The ECR repository, in the tooling account, that CI pushes the image to."""
    tag: str
    """The image tag every environment runs (a release: promoted by the waves)."""
    stack: str
    """The ``ServicesStack`` it belongs to."""
    path_patterns: tuple[str, ...] = ()
    """Listener-rule paths. Default: ``/*``."""
    container_port: int = 8080
    """The port the container listens on. Default: 8080."""
    memory_mib: int = 256
    """Memory of the container. Default: 256 MiB."""


@dataclass(frozen=True, kw_only=True)
class ToolingConfig:
    """The shared tooling account: the pipeline, the image repositories, the review records."""

    account: str
    """The 12-digit AWS account."""
    region: str
    """Its region (the pipeline's; images are pulled from here by every environment)."""
    source_repository: str
    """``owner/name`` of the Git repository that holds this app."""
    branch: str
    """The branch that is delivered."""
    connection_arn: str
    """The CodeStar (CodeConnections) connection to the Git host, created once by hand."""
    app_directory: str = "examples/pipeline"
    """Where ``cdk.json`` of this app is, in the repository."""


@dataclass(frozen=True, kw_only=True)
class DeliveryConfig:
    """The whole delivery: where the pipeline runs, the waves it deploys, the services."""

    tooling: ToolingConfig
    waves: tuple[WaveConfig, ...]
    services: tuple[ServiceConfig, ...]

    @property
    def environments(self) -> tuple[EnvironmentConfig, ...]:
        """Every environment, in delivery order."""
        return tuple(env for wave in self.waves for env in wave.environments)


CONFIG = DeliveryConfig(
    tooling=ToolingConfig(
        account="111111111111",
        region="eu-west-1",
        source_repository="example-org/shop-platform",
        branch="main",
        connection_arn=(
            "arn:aws:codeconnections:eu-west-1:111111111111:connection/"
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
        ),
    ),
    waves=(
        WaveConfig(
            name="Dev",
            environments=(
                EnvironmentConfig(name="Dev", account="222222222222", region="eu-west-1"),
            ),
        ),
        WaveConfig(
            name="Staging",
            environments=(
                EnvironmentConfig(
                    name="Staging",
                    account="333333333333",
                    region="eu-west-1",
                    domain=DomainConfig(
                        name="staging.shop.example.com",
                        hosted_zone_id="Z0STAGING0000000000001",
                        hosted_zone_name="staging.shop.example.com",
                    ),
                ),
            ),
        ),
        WaveConfig(
            name="Production",
            approval=True,
            environments=tuple(
                EnvironmentConfig(
                    name=name,
                    account="444444444444",
                    region=region,
                    instance_type="m6i.large",
                    min_capacity=2,
                    max_capacity=10,
                    desired_count=3,
                    domain=DomainConfig(
                        name=f"{prefix}.shop.example.com",
                        hosted_zone_id="Z0PRODUCTION0000000001",
                        hosted_zone_name="shop.example.com",
                    ),
                )
                for name, region, prefix in (
                    ("ProdEu", "eu-west-1", "eu"),
                    ("ProdUs", "us-east-1", "us"),
                )
            ),
        ),
    ),
    services=(
        ServiceConfig(name="web", repository_name="shop/web", tag="1.4.2", stack="Storefront"),
        ServiceConfig(
            name="api",
            repository_name="shop/api",
            tag="2.0.1",
            stack="Storefront",
            path_patterns=("/api/*",),
        ),
        ServiceConfig(
            name="admin",
            repository_name="shop/admin",
            tag="0.9.0",
            stack="Backoffice",
            path_patterns=("/admin/*",),
        ),
    ),
)
