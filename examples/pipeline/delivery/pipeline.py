"""The delivery pipeline, in the tooling account: synth, then one wave per ``WaveConfig``."""

from __future__ import annotations

import posixpath
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import pipelines
from constructs import Construct, IConstruct

from constructs_ecs import ImageRepository

from .compliance import acknowledge_pipeline_wildcards
from .config import DeliveryConfig
from .stage import ShopStage

__all__ = ["DeliveryPipelineStack"]

#: The CodeBuild image every step runs on, and the runtimes it selects (jsii needs Node.js 22+).
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
RUNTIMES = {"nodejs": "22", "python": "3.12"}


class DeliveryPipelineStack(cdk.Stack):
    """CDK Pipelines on CodePipeline: synthesizes the app, then deploys ``ShopStage``s wave by
    wave; before each stage, the review report of its assembly against the one it last deployed;
    before an ``approval`` wave, a manual approval after the reviews.

    Also holds what the environments share: the image repositories (pulled cross-account) and the
    bucket of deployed assemblies (the review's baseline).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeliveryConfig, **props: Any
    ) -> None:
        tooling = config.tooling
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=tooling.account, region=tooling.region),
            **props,
        )
        accounts = sorted({env.account for env in config.environments})
        self.repositories: dict[str, ImageRepository] = {}
        """The ``ImageRepository`` of each service, by service name."""
        for service in config.services:
            repository = ImageRepository(
                self, f"{service.name.capitalize()}Images", repository_name=service.repository_name
            )
            repository.grant_pull_to_accounts(accounts)
            self.repositories[service.name] = repository

        self.deployed_assemblies = s3.Bucket(
            self,
            "DeployedAssemblies",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(noncurrent_version_expiration=cdk.Duration.days(365))
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        """Per stage, the cloud assembly it last deployed (``deployed/<stage>/``) and the review
        reports (``reviews/<stage>/<execution id>.md``); versioned, so every earlier deployed
        assembly stays for a year."""
        _acknowledge_on_resource(
            self.deployed_assemblies,
            "AwsSolutions-S1",
            "Written only by the pipeline's own review and record steps; CloudTrail records "
            "their S3 calls, and access logs would need yet another bucket.",
        )

        source = pipelines.CodePipelineSource.connection(
            tooling.source_repository, tooling.branch, connection_arn=tooling.connection_arn
        )
        # The CDK CLI pinned by the repository's package-lock.json, installed by `npm ci`.
        cli = posixpath.relpath("node_modules/.bin/cdk", tooling.app_directory)
        self.synth = pipelines.ShellStep(
            "Synth",
            input=source,
            install_commands=[
                "python -m pip install --quiet -c requirements/dev.lock '.[testing]'",
                "npm ci",
            ],
            commands=[f"cd {tooling.app_directory} && {cli} synth"],
            primary_output_directory=f"{tooling.app_directory}/cdk.out",
        )
        """The synth step: its output is the whole cloud assembly (every stage's)."""
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            synth=self.synth,
            cross_account_keys=True,
            enable_key_rotation=True,
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(build_image=BUILD_IMAGE),
                partial_build_spec=codebuild.BuildSpec.from_object(
                    {"phases": {"install": {"runtime-versions": RUNTIMES}}}
                ),
            ),
        )
        """The ``pipelines.CodePipeline``."""

        self.stages: dict[str, ShopStage] = {}
        """Every ``ShopStage``, by environment name."""
        self.reviews: dict[str, pipelines.CodeBuildStep] = {}
        """The review step of each stage."""
        self.records: dict[str, pipelines.CodeBuildStep] = {}
        """The step that records what each stage deployed."""
        self.approvals: dict[str, pipelines.ManualApprovalStep] = {}
        """The manual approval of each wave that has one, by wave name."""
        for wave_config in config.waves:
            stages = [
                ShopStage(
                    self, env.name, environment=env, tooling=tooling, services=config.services
                )
                for env in wave_config.environments
            ]
            reviews = [self._review(stage, source) for stage in stages]
            pre: list[pipelines.Step] = list(reviews)
            if wave_config.approval:
                approval = pipelines.ManualApprovalStep(
                    "Approve",
                    comment=f"Deploy to {', '.join(s.stage_name for s in stages)}? Read the "
                    "review reports first: the logs of the Review actions, or "
                    f"s3://{self.deployed_assemblies.bucket_name}/reviews/.",
                )
                for review in reviews:
                    approval.add_step_dependency(review)
                pre.append(approval)
                self.approvals[wave_config.name] = approval
            wave = self.pipeline.add_wave(wave_config.name, pre=pre)
            for stage in stages:
                self.stages[stage.node.id] = stage
                wave.add_stage(stage, post=[self._record(stage)])
        self.pipeline.build_pipeline()
        self._acknowledge_findings()

    def _acknowledge_findings(self) -> None:
        """Acknowledge the findings of what CDK Pipelines defined (``build_pipeline``)."""
        acknowledge_pipeline_wildcards(self)
        buckets = [self.pipeline.pipeline.artifact_bucket] + [
            support.replication_bucket
            for support in self.pipeline.pipeline.cross_region_support.values()
        ]
        for bucket in buckets:
            _acknowledge_on_resource(
                bucket,
                "AwsSolutions-S1",
                "CodePipeline's artifact store: only the pipeline's roles use it, and "
                "CloudTrail records their S3 calls; access logs would need yet another bucket.",
            )

    def _review(
        self, stage: ShopStage, source: pipelines.IFileSetProducer
    ) -> pipelines.CodeBuildStep:
        name = stage.node.id
        role = iam.Role(
            self, f"Review{name}Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com")
        )
        self.deployed_assemblies.grant_read(role, f"deployed/{name}/*")
        self.deployed_assemblies.grant_put(role, f"reviews/{name}/*")
        step = pipelines.CodeBuildStep(
            f"Review{name}",
            input=source,
            additional_inputs={"cdk.out": self.synth},
            role=role,
            env={
                "BUCKET": self.deployed_assemblies.bucket_name,
                "STAGE": name,
                "ASSEMBLY": stage.artifact_id,
                "EXECUTION_ID": "#{codepipeline.PipelineExecutionId}",
            },
            install_commands=[
                # The review reads only cdk.out: neither aws-cdk-lib nor Node.js.
                "python -m pip install --quiet --no-deps .",
                "python -m pip install --quiet -c requirements/dev.lock cfn-lint",
            ],
            commands=[
                'aws s3 sync --only-show-errors "s3://$BUCKET/deployed/$STAGE/" previous/',
                # No baseline before a stage's first deploy: the report shows the assembly alone.
                'against=""; if [ -f previous/manifest.json ]; then '
                'against="--against previous"; fi',
                "mkdir -p review",
                'python -m constructs_ecs.review "cdk.out/$ASSEMBLY" $against --max-chars 0 '
                "--output review/review.md",
                "cat review/review.md",
                "aws s3 cp --only-show-errors review/review.md "
                '"s3://$BUCKET/reviews/$STAGE/$EXECUTION_ID.md"',
            ],
            primary_output_directory="review",
        )
        self.reviews[name] = step
        return step

    def _record(self, stage: ShopStage) -> pipelines.CodeBuildStep:
        name = stage.node.id
        role = iam.Role(
            self, f"Record{name}Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com")
        )
        self.deployed_assemblies.grant_read_write(role, f"deployed/{name}/*")
        self.deployed_assemblies.grant_delete(role, f"deployed/{name}/*")
        step = pipelines.CodeBuildStep(
            f"Record{name}",
            input=self.synth,
            role=role,
            env={
                "BUCKET": self.deployed_assemblies.bucket_name,
                "STAGE": name,
                "ASSEMBLY": stage.artifact_id,
            },
            commands=[
                'aws s3 sync --only-show-errors --delete "$ASSEMBLY/" "s3://$BUCKET/deployed/$STAGE/"',
            ],
        )
        self.records[name] = step
        return step


def _acknowledge_on_resource(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge ``rule`` on the construct's own CloudFormation resource, not its children
    (a bucket's policy stays checked)."""
    resource = construct.node.default_child
    assert resource is not None, f"{construct.node.path} defines no resource"
    cdk.Validations.of(resource).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
