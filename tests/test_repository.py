"""ImageRepository: defaults, options, grants (exact statements), validation, pinned logical ID."""

from __future__ import annotations

import json
import re
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template
from syrupy.assertion import SnapshotAssertion

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import acknowledge
from constructs_ecs._repository import PULL_ACTIONS, ImageRepository
from constructs_ecs.testing import (
    assert_cfn_lint_clean,
    nag_acknowledgements,
    resource_manifest,
    template_of,
)
from tests.conftest import make_stack

ORG = "o-abcdefghij"
ACCOUNTS = ["111111111111", "222222222222"]
GET_TOKEN = {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}
TOKEN_REASON = "ecr:GetAuthorizationToken has no resource-level permissions (it is account-wide)."

# Renaming or moving ImageRepository(stack, "Images") replaces the repository: pinned on purpose.
DEFAULT_REPOSITORY_ID = "ImagesRepository2D0F5B9C"


def repo_arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def account_root(account: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{account}:root"]]}


def default_policy(role: iam.Role) -> cdk.CfnResource:
    return cast(cdk.CfnResource, role.node.find_child("DefaultPolicy").node.default_child)


def lifecycle(template: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    props = template["Resources"][logical_id]["Properties"]
    rules: list[dict[str, Any]] = json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])[
        "rules"
    ]
    return rules


class Synthesized:
    """Both stacks of the module in one app, synthesized once (cdk-nag on)."""

    def __init__(self) -> None:
        self.defaults_stack = make_stack("Defaults")
        app = cast(cdk.App, self.defaults_stack.node.scope)
        self.images = ImageRepository(self.defaults_stack, "Images")

        stack = cdk.Stack(app, "Configured")
        self.configured_stack = stack
        key = kms.Key(stack, "Key", enable_key_rotation=True)
        self.web = ImageRepository(
            stack,
            "Web",
            repository_name="team/web-app",
            mutable_tags=True,
            untagged_image_expiry=cdk.Duration.days(3),
            max_tagged_images=10,
            expire_tag_prefixes=["ci-", "nightly."],
            lifecycle_rules=[ecr.LifecycleRule(tag_prefix_list=["pr-"], max_image_count=5)],
            encryption_key=key,
            destroy_on_removal=True,
        )
        self.unused = ImageRepository(stack, "Unused")
        self.reader = iam.Role(
            stack, "Reader", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com")
        )
        self.ci = iam.Role(stack, "Ci", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
        self.pull_grant = self.web.grant_pull(self.reader)
        self.push_grant = self.web.grant_push(self.ci)
        self.web.grant_pull_to_accounts(ACCOUNTS)
        self.web.grant_pull_to_organization(ORG)
        task = ecs.Ec2TaskDefinition(stack, "Task")
        log_group = logs.LogGroup(
            stack,
            "Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        task.add_container(
            "web",
            image=self.web.image("1.4.2"),
            memory_limit_mib=256,
            logging=ecs.LogDrivers.aws_logs(stream_prefix="web", log_group=log_group),
        )
        assert task.execution_role is not None
        # A raw CDK task definition: the grant happens inside CDK, so the user acknowledges.
        execution_role = cast(iam.Role, task.execution_role)
        acknowledge(default_policy(execution_role), "IAM5[Resource::*]", TOKEN_REASON)

        variants = cdk.Stack(app, "Variants")
        any_last = ImageRepository(
            variants,
            "AnyLast",
            untagged_image_expiry=None,
            expire_tag_prefixes=["ci-"],
            lifecycle_rules=[
                ecr.LifecycleRule(max_image_age=cdk.Duration.days(365)),
                ecr.LifecycleRule(tag_pattern_list=["release-*"], max_image_count=100),
            ],
        )
        # max_tagged_images=None is still accepted (it was how to turn the old count rule off).
        no_rules = ImageRepository(
            variants, "NoRules", untagged_image_expiry=None, max_tagged_images=None
        )
        no_rules.grant_pull_to_accounts(["111111111111", "111111111111"])
        no_rules.grant_pull_to_accounts(["111111111111"])
        no_rules.grant_pull_to_organization(ORG)
        no_rules.grant_pull_to_organization(ORG)

        self.defaults = template_of(self.defaults_stack)
        self.variants = template_of(variants)
        self.any_last_id = variants.get_logical_id(
            cast(cdk.CfnElement, any_last.repository.node.default_child)
        )
        self.no_rules_id = variants.get_logical_id(
            cast(cdk.CfnElement, no_rules.repository.node.default_child)
        )
        self.configured = template_of(stack)
        self.web_id = stack.get_logical_id(
            cast(cdk.CfnElement, self.web.repository.node.default_child)
        )
        self.unused_id = stack.get_logical_id(
            cast(cdk.CfnElement, self.unused.repository.node.default_child)
        )
        self.execution_policy_id = stack.get_logical_id(
            cast(cdk.CfnElement, default_policy(cast(iam.Role, task.execution_role)))
        )


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return Synthesized()


@pytest.fixture(scope="module")
def defaults(synthesized: Synthesized) -> Template:
    return Template.from_json(synthesized.defaults)


@pytest.fixture(scope="module")
def configured(synthesized: Synthesized) -> Template:
    return Template.from_json(synthesized.configured)


# ------------------------------------------------------------------------------ defaults


def test_repository_logical_id_is_pinned(synthesized: Synthesized) -> None:
    assert resource_manifest(synthesized.defaults) == {
        DEFAULT_REPOSITORY_ID: "AWS::ECR::Repository"
    }


def test_scans_images_on_push(defaults: Template) -> None:
    defaults.has_resource_properties(
        "AWS::ECR::Repository", {"ImageScanningConfiguration": {"ScanOnPush": True}}
    )


def test_tags_are_immutable_by_default(defaults: Template) -> None:
    defaults.has_resource_properties("AWS::ECR::Repository", {"ImageTagMutability": "IMMUTABLE"})


def test_encrypts_with_aes256_by_default(defaults: Template) -> None:
    defaults.has_resource_properties(
        "AWS::ECR::Repository", {"EncryptionConfiguration": {"EncryptionType": "AES256"}}
    )


def test_is_retained_on_delete_and_replace_by_default(defaults: Template) -> None:
    defaults.has_resource(
        "AWS::ECR::Repository",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like({"EmptyOnDelete": Match.absent()}),
        },
    )


def test_name_is_generated_by_default(defaults: Template) -> None:
    defaults.has_resource_properties("AWS::ECR::Repository", {"RepositoryName": Match.absent()})


def test_has_no_repository_policy_until_a_cross_account_grant(defaults: Template) -> None:
    defaults.has_resource_properties(
        "AWS::ECR::Repository", {"RepositoryPolicyText": Match.absent()}
    )


def test_default_lifecycle_expires_untagged_images_after_14_days_and_never_a_tagged_one(
    synthesized: Synthesized,
) -> None:
    """A tag a service runs must stay pullable by instances launched later: no count rule."""
    assert lifecycle(synthesized.defaults, DEFAULT_REPOSITORY_ID) == [
        {
            "rulePriority": 1,
            "description": "Expire untagged images 14 days after they were pushed",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countNumber": 14,
                "countUnit": "days",
            },
            "action": {"type": "expire"},
        },
    ]


def test_defaults_need_no_nag_acknowledgement(synthesized: Synthesized) -> None:
    assert nag_acknowledgements(synthesized.defaults) == {}


def test_defaults_snapshot(synthesized: Synthesized, snapshot_json: SnapshotAssertion) -> None:
    assert DEFAULT_REPOSITORY_ID in synthesized.defaults["Resources"]
    assert synthesized.defaults == snapshot_json(name="template")
    assert resource_manifest(synthesized.defaults) == snapshot_json(name="manifest")


def test_defaults_pass_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.defaults)


# ------------------------------------------------------------------------------- options


def test_repository_name_is_used(configured: Template) -> None:
    configured.has_resource_properties("AWS::ECR::Repository", {"RepositoryName": "team/web-app"})


def test_mutable_tags_opt_in(configured: Template) -> None:
    configured.has_resource_properties(
        "AWS::ECR::Repository",
        {"RepositoryName": "team/web-app", "ImageTagMutability": "MUTABLE"},
    )


def test_encrypts_with_the_given_kms_key(configured: Template, synthesized: Synthesized) -> None:
    key_id = next(
        k for k, v in synthesized.configured["Resources"].items() if v["Type"] == "AWS::KMS::Key"
    )
    configured.has_resource_properties(
        "AWS::ECR::Repository",
        {
            "RepositoryName": "team/web-app",
            "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": repo_arn(key_id)},
        },
    )


def test_destroy_on_removal_empties_and_deletes(synthesized: Synthesized) -> None:
    resource = synthesized.configured["Resources"][synthesized.web_id]
    assert resource["DeletionPolicy"] == "Delete"
    assert resource["UpdateReplacePolicy"] == "Delete"
    assert resource["Properties"]["EmptyOnDelete"] is True


def test_lifecycle_orders_untagged_then_extra_rules_then_one_count_rule_per_prefix(
    synthesized: Synthesized,
) -> None:
    """ECR selects by a multi-entry tagPrefixList only images carrying every prefix: one rule
    per prefix, each keeping its own most recent images."""
    rules = lifecycle(synthesized.configured, synthesized.web_id)
    assert [(r["rulePriority"], r["selection"]) for r in rules] == [
        (
            1,
            {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countNumber": 3,
                "countUnit": "days",
            },
        ),
        (
            2,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["pr-"],
                "countType": "imageCountMoreThan",
                "countNumber": 5,
            },
        ),
        (
            3,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["ci-"],
                "countType": "imageCountMoreThan",
                "countNumber": 10,
            },
        ),
        (
            4,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["nightly."],
                "countType": "imageCountMoreThan",
                "countNumber": 10,
            },
        ),
    ]
    assert [r["description"] for r in rules[2:]] == [
        "Keep the 10 most recent images tagged ci-*",
        "Keep the 10 most recent images tagged nightly.*",
    ]


def test_no_lifecycle_rule_selects_every_tag_unless_written_by_hand(
    synthesized: Synthesized,
) -> None:
    for template, logical_id in (
        (synthesized.defaults, DEFAULT_REPOSITORY_ID),
        (synthesized.configured, synthesized.web_id),
    ):
        for rule in lifecycle(template, logical_id):
            assert rule["selection"]["tagStatus"] != "any"
            assert rule["selection"].get("tagPatternList") is None
            assert "" not in rule["selection"].get("tagPrefixList", ["x"])


def _rules_of(**kwargs: Any) -> list[dict[str, Any]]:
    stack = make_stack("Rules")
    repository = ImageRepository(stack, "Images", **kwargs)
    logical_id = stack.get_logical_id(
        cast(cdk.CfnElement, repository.repository.node.default_child)
    )
    return lifecycle(template_of(stack), logical_id)


def test_tag_prefixes_keep_30_images_each_by_default() -> None:
    rules = _rules_of(expire_tag_prefixes=["ci-"])
    assert rules[1]["selection"] == {
        "tagStatus": "tagged",
        "tagPrefixList": ["ci-"],
        "countType": "imageCountMoreThan",
        "countNumber": 30,
    }
    assert len(rules) == 2


def test_a_repeated_tag_prefix_gets_one_rule() -> None:
    rules = _rules_of(expire_tag_prefixes=["ci-", "pr-", "ci-"], max_tagged_images=5)
    assert [r["selection"]["tagPrefixList"] for r in rules[1:]] == [["ci-"], ["pr-"]]


def test_any_rule_goes_last_after_the_prefix_rules(synthesized: Synthesized) -> None:
    rules = lifecycle(synthesized.variants, synthesized.any_last_id)
    assert [(r["rulePriority"], r["selection"]) for r in rules] == [
        (
            1,
            {
                "tagStatus": "tagged",
                "tagPatternList": ["release-*"],
                "countType": "imageCountMoreThan",
                "countNumber": 100,
            },
        ),
        (
            2,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["ci-"],
                "countType": "imageCountMoreThan",
                "countNumber": 30,
            },
        ),
        (
            3,
            {
                "tagStatus": "any",
                "countType": "sinceImagePushed",
                "countNumber": 365,
                "countUnit": "days",
            },
        ),
    ]


def test_no_lifecycle_policy_when_every_rule_is_off(synthesized: Synthesized) -> None:
    props = synthesized.variants["Resources"][synthesized.no_rules_id]["Properties"]
    assert "LifecyclePolicy" not in props


# -------------------------------------------------------------------------------- grants


def test_grant_pull_gives_the_role_pull_on_this_repository_only(
    configured: Template, synthesized: Synthesized
) -> None:
    configured.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [
                {
                    "Ref": synthesized.configured_stack.get_logical_id(
                        cast(cdk.CfnElement, synthesized.reader.node.default_child)
                    )
                }
            ],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": list(PULL_ACTIONS),
                        "Effect": "Allow",
                        "Resource": repo_arn(synthesized.web_id),
                    },
                    GET_TOKEN,
                ],
                "Version": "2012-10-17",
            },
        },
    )
    assert synthesized.pull_grant.success


def test_grant_push_gives_the_ci_role_push_on_this_repository_only(
    configured: Template, synthesized: Synthesized
) -> None:
    configured.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [
                {
                    "Ref": synthesized.configured_stack.get_logical_id(
                        cast(cdk.CfnElement, synthesized.ci.node.default_child)
                    )
                }
            ],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": [
                            "ecr:BatchCheckLayerAvailability",
                            "ecr:CompleteLayerUpload",
                            "ecr:InitiateLayerUpload",
                            "ecr:PutImage",
                            "ecr:UploadLayerPart",
                        ],
                        "Effect": "Allow",
                        "Resource": repo_arn(synthesized.web_id),
                    },
                    GET_TOKEN,
                ],
                "Version": "2012-10-17",
            },
        },
    )
    assert synthesized.push_grant.success


def test_cross_account_and_organization_pulls_are_in_the_repository_policy(
    synthesized: Synthesized,
) -> None:
    policy = synthesized.configured["Resources"][synthesized.web_id]["Properties"][
        "RepositoryPolicyText"
    ]
    assert policy == {
        "Statement": [
            {
                "Action": list(PULL_ACTIONS),
                "Effect": "Allow",
                "Principal": {"AWS": [account_root(a) for a in ACCOUNTS]},
            },
            {
                "Action": list(PULL_ACTIONS),
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
            },
        ],
        "Version": "2012-10-17",
    }


def test_organization_grant_acknowledges_ecr1_on_that_repository_only(
    synthesized: Synthesized,
) -> None:
    acks = nag_acknowledgements(synthesized.configured)
    assert acks["AwsSolutions-ECR1"] == [synthesized.web_id]
    reason = synthesized.configured["Resources"][synthesized.web_id]["Metadata"]["cdk_nag"][
        "rules_to_suppress"
    ][0]["reason"]
    assert "aws:PrincipalOrgID" in reason


def test_repeated_accounts_and_organizations_are_granted_and_acknowledged_once(
    synthesized: Synthesized,
) -> None:
    resource = synthesized.variants["Resources"][synthesized.no_rules_id]
    assert resource["Properties"]["RepositoryPolicyText"]["Statement"] == [
        {
            "Action": list(PULL_ACTIONS),
            "Effect": "Allow",
            "Principal": {"AWS": account_root("111111111111")},
        },
        {
            "Action": list(PULL_ACTIONS),
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
        },
    ]
    assert len(resource["Metadata"]["cdk_nag"]["rules_to_suppress"]) == 1


def test_variants_pass_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.variants)


# --------------------------------------------------------------------------------- image


def test_image_points_the_container_at_this_repository_and_tag(
    configured: Template, synthesized: Synthesized
) -> None:
    configured.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "ContainerDefinitions": [
                Match.object_like(
                    {
                        "Image": {
                            "Fn::Join": [
                                "",
                                Match.array_with([{"Ref": synthesized.web_id}, ":1.4.2"]),
                            ]
                        }
                    }
                )
            ]
        },
    )


def test_execution_role_can_pull_exactly_the_repositories_its_containers_use(
    synthesized: Synthesized,
) -> None:
    policy = synthesized.configured["Resources"][synthesized.execution_policy_id]["Properties"]
    statements = policy["PolicyDocument"]["Statement"]
    ecr_resources = [
        s["Resource"] for s in statements if any(a.startswith("ecr:") for a in _actions(s))
    ]
    assert ecr_resources == [repo_arn(synthesized.web_id), "*"]
    assert {
        "Action": list(PULL_ACTIONS),
        "Effect": "Allow",
        "Resource": repo_arn(synthesized.web_id),
    } in statements
    assert synthesized.unused_id not in json.dumps(policy)


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_latest_is_allowed_when_tags_are_mutable() -> None:
    stack = make_stack()
    repo = ImageRepository(stack, "Images", mutable_tags=True)
    assert repo.image("latest").image_name.endswith(":latest")


def test_configured_snapshot(synthesized: Synthesized, snapshot_json: SnapshotAssertion) -> None:
    assert synthesized.web_id in synthesized.configured["Resources"]
    assert synthesized.configured == snapshot_json(name="template")
    assert resource_manifest(synthesized.configured) == snapshot_json(name="manifest")


def test_configured_passes_cfn_lint(synthesized: Synthesized) -> None:
    assert_cfn_lint_clean(synthesized.configured)


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "name",
    ["a", "Web", "web--app", "web/", "/web", "web app", "-web", "web_", "a" * 257, "team//web"],
)
def test_fails_when_repository_name_is_invalid(name: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ImageRepository(make_stack(), "Images", repository_name=name)
    message = str(caught.value)
    assert message.startswith(f"repository_name: got {name!r};")
    assert "lowercase letters and digits" in message


def test_fails_when_repository_name_has_uppercase_and_suggests_lowercase() -> None:
    with pytest.raises(ConfigurationError, match=r"did you mean 'team/web'\?"):
        ImageRepository(make_stack(), "Images", repository_name="Team/Web")


@pytest.mark.parametrize("expiry", [cdk.Duration.hours(36), cdk.Duration.hours(12)])
def test_fails_when_untagged_image_expiry_is_not_whole_days(expiry: cdk.Duration) -> None:
    with pytest.raises(
        ConfigurationError, match=r"untagged_image_expiry: got '.*'; ECR lifecycle ages are whole"
    ):
        ImageRepository(make_stack(), "Images", untagged_image_expiry=expiry)


@pytest.mark.parametrize(
    ("count", "allowed"),
    [
        (0, "an integer from 1 to 10000"),
        (-1, "an integer from 1 to 10000"),
        (10_001, "an integer from 1 to 10000"),
        (True, "expected an integer"),
    ],
)
def test_fails_when_max_tagged_images_is_out_of_range(count: int, allowed: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"max_tagged_images: got {count!r}; {allowed}"):
        ImageRepository(
            make_stack(), "Images", max_tagged_images=count, expire_tag_prefixes=["ci-"]
        )


def test_fails_when_max_tagged_images_has_no_tag_prefix() -> None:
    """The old default (keep the 30 most recent tagged images) now needs a prefix."""
    with pytest.raises(ConfigurationError) as caught:
        ImageRepository(make_stack(), "Images", max_tagged_images=30)
    message = str(caught.value)
    assert message.startswith(
        "max_tagged_images: got 30; only with expire_tag_prefixes (e.g. ['ci-', 'pr-'])"
    )
    assert "would expire a tag that a service still runs as soon as 30 newer images" in message
    assert "leave max_tagged_images out to keep every tagged image" in message


@pytest.mark.parametrize(
    ("prefix", "allowed"),
    [
        ("", "a non-empty tag prefix: an empty one would select every tagged image"),
        ("*", "the start of an image tag"),
        ("ci-*", "the start of an image tag"),
        ("-ci", "the start of an image tag"),
        (".ci", "the start of an image tag"),
        ("c" * 129, "the start of an image tag"),
        (7, "a string"),
    ],
)
def test_fails_when_a_tag_prefix_is_invalid(prefix: Any, allowed: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ImageRepository(make_stack(), "Images", expire_tag_prefixes=["ci-", prefix])
    assert str(caught.value).startswith(f"expire_tag_prefixes[1]: got {prefix!r}; {allowed}")


def test_fails_when_tag_prefixes_are_a_string() -> None:
    with pytest.raises(
        ConfigurationError, match=r"expire_tag_prefixes: got 'ci-'; expected a list"
    ):
        ImageRepository(make_stack(), "Images", expire_tag_prefixes="ci-")


def test_fails_when_a_lifecycle_rule_sets_its_own_priority() -> None:
    rule = ecr.LifecycleRule(rule_priority=1, tag_prefix_list=["pr-"], max_image_count=5)
    with pytest.raises(
        ConfigurationError, match=r"lifecycle_rules\[0\]\.rule_priority: got 1; unset"
    ):
        ImageRepository(make_stack(), "Images", lifecycle_rules=[rule])


@pytest.mark.parametrize(
    "rule",
    [
        ecr.LifecycleRule(tag_prefix_list=["pr-"]),
        ecr.LifecycleRule(
            tag_prefix_list=["pr-"], max_image_count=5, max_image_age=cdk.Duration.days(5)
        ),
    ],
)
def test_fails_when_a_lifecycle_rule_needs_exactly_one_of_count_and_age(
    rule: ecr.LifecycleRule,
) -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"lifecycle_rules\[0\]: got .*; exactly one of max_image_count and max_image_age",
    ):
        ImageRepository(make_stack(), "Images", lifecycle_rules=[rule])


def test_fails_when_a_tagged_rule_has_no_tag_list() -> None:
    rule = ecr.LifecycleRule(tag_status=ecr.TagStatus.TAGGED, max_image_count=5)
    with pytest.raises(
        ConfigurationError,
        match=r"lifecycle_rules\[0\]: got 'TagStatus.TAGGED'; exactly one of tag_prefix_list",
    ):
        ImageRepository(make_stack(), "Images", lifecycle_rules=[rule])


def test_fails_when_an_untagged_rule_has_a_tag_list() -> None:
    rule = ecr.LifecycleRule(
        tag_status=ecr.TagStatus.UNTAGGED, tag_prefix_list=["x"], max_image_count=5
    )
    with pytest.raises(
        ConfigurationError, match=r"got 'TagStatus.UNTAGGED'; tag_prefix_list/tag_pattern_list"
    ):
        ImageRepository(make_stack(), "Images", untagged_image_expiry=None, lifecycle_rules=[rule])


def test_fails_when_an_untagged_rule_conflicts_with_untagged_image_expiry() -> None:
    rule = ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_count=5)
    with pytest.raises(
        ConfigurationError,
        match=r"lifecycle_rules\[0\]: got 'TagStatus.UNTAGGED'; no second rule for untagged",
    ):
        ImageRepository(make_stack(), "Images", lifecycle_rules=[rule])


def test_fails_when_two_lifecycle_rules_select_the_same_images() -> None:
    rules = [
        ecr.LifecycleRule(tag_prefix_list=["pr-"], max_image_count=5),
        ecr.LifecycleRule(tag_prefix_list=["pr-"], max_image_age=cdk.Duration.days(7)),
    ]
    with pytest.raises(
        ConfigurationError,
        match=r"lifecycle_rules\[1\]: got \"TagStatus.TAGGED, tag_prefix_list=\['pr-'\]\"; "
        r".*lifecycle_rules\[0\] already selects",
    ):
        ImageRepository(make_stack(), "Images", lifecycle_rules=rules)


def test_fails_when_a_lifecycle_rule_repeats_a_tag_prefix_selection() -> None:
    rule = ecr.LifecycleRule(tag_prefix_list=["ci-"], max_image_age=cdk.Duration.days(7))
    with pytest.raises(
        ConfigurationError,
        match=r"lifecycle_rules\[0\]: got \"TagStatus.TAGGED, tag_prefix_list=\['ci-'\]\"; "
        r".*expire_tag_prefixes already selects",
    ):
        ImageRepository(make_stack(), "Images", expire_tag_prefixes=["ci-"], lifecycle_rules=[rule])


def test_fails_when_a_lifecycle_rule_age_is_not_whole_days() -> None:
    rule = ecr.LifecycleRule(tag_prefix_list=["pr-"], max_image_age=cdk.Duration.hours(30))
    with pytest.raises(ConfigurationError, match=r"lifecycle_rules\[0\]\.max_image_age: got"):
        ImageRepository(make_stack(), "Images", lifecycle_rules=[rule])


@pytest.mark.parametrize("accounts", [[], "111111111111"])
def test_fails_when_account_list_is_empty_or_not_a_list(accounts: Any) -> None:
    repo = ImageRepository(make_stack(), "Images")
    with pytest.raises(
        ConfigurationError,
        match=r"account_ids: got .*; a non-empty list of 12-digit AWS account ids",
    ):
        repo.grant_pull_to_accounts(accounts)


@pytest.mark.parametrize("account", ["11111111111", "1111111111111", "abcdefghijkl", "*"])
def test_fails_when_an_account_id_is_not_12_digits(account: str) -> None:
    repo = ImageRepository(make_stack(), "Images")
    with pytest.raises(
        ConfigurationError,
        match=rf"account_ids: got '{re.escape(account)}'; 12-digit AWS account ids",
    ):
        repo.grant_pull_to_accounts(["111111111111", account])


@pytest.mark.parametrize("org", ["o-short", "abcdefghijkl", "o-ABCDEFGHIJ", "*"])
def test_fails_when_organization_id_is_invalid(org: str) -> None:
    repo = ImageRepository(make_stack(), "Images")
    with pytest.raises(
        ConfigurationError,
        match=rf"organization_id: got '{re.escape(org)}'; an AWS Organizations id",
    ):
        repo.grant_pull_to_organization(org)


@pytest.mark.parametrize("tag", ["", ".hidden", "-dash", "v1:2", "a" * 129, "v 1", "sha256@x"])
def test_fails_when_tag_is_not_a_valid_image_tag(tag: str) -> None:
    repo = ImageRepository(make_stack(), "Images")
    with pytest.raises(ConfigurationError) as caught:
        repo.image(tag)
    assert str(caught.value).startswith(f"tag: got {tag!r}; an image tag: up to 128")


def test_fails_when_latest_is_used_with_immutable_tags() -> None:
    repo = ImageRepository(make_stack(), "Images")
    with pytest.raises(
        ConfigurationError, match=r"tag: got 'latest'; a version or commit tag: .*IMMUTABLE"
    ):
        repo.image("latest")


def test_grants_acknowledge_only_the_login_token_wildcard(synthesized: Synthesized) -> None:
    """grant_pull/grant_push acknowledge IAM5[Resource::*] for ecr:GetAuthorizationToken."""
    from constructs_ecs._nag import REASON_ECR_TOKEN
    from constructs_ecs.testing import nag_acknowledgements

    for role in (synthesized.reader, synthesized.ci):
        stack = synthesized.configured_stack
        logical_id = stack.get_logical_id(cast(cdk.CfnElement, default_policy(role)))
        resource = synthesized.configured["Resources"][logical_id]
        # In cdk-nag 3's form or cdk-nag 2's (the finding in applies_to), whichever is installed.
        assert nag_acknowledgements({"Resources": {logical_id: resource}}) == {
            "AwsSolutions-IAM5[Resource::*]": [logical_id]
        }
        rules = resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
        assert [rule["reason"] for rule in rules] == [REASON_ECR_TOKEN]


def test_grant_does_not_acknowledge_a_foreign_wildcard() -> None:
    """Another statement on Resource '*' in the same policy keeps the finding open."""
    from constructs_ecs.testing import NagFindingsError

    stack = make_stack("Foreign")
    repository = ImageRepository(stack, "Images")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["s3:ListAllMyBuckets"], resources=["*"]))
    repository.grant_pull(role)
    with pytest.raises(NagFindingsError, match=r"IAM5\[Resource::\*\] Foreign/Role"):
        template_of(stack)
