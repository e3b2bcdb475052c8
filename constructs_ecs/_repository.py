"""A private ECR repository for one image, with resource-level pull and push permissions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_ecs._arguments import checked
from constructs_ecs._errors import ConfigurationError
from constructs_ecs._nag import acknowledge, ecr_token_reason, explain_wildcards

__all__ = ["ImageRepository"]

_NAME = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
_ACCOUNT = re.compile(r"\d{12}")
_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}")

#: What a pull needs on the repository itself (``ecr:GetAuthorizationToken`` is account-wide).
PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
#: Mutable tags that an IMMUTABLE repository can hold only once: naming one pins a stale image.
FLOATING_TAGS = frozenset({"latest"})
_MAX_IMAGE_COUNT = 10_000
_DEFAULT_TAGGED_IMAGES = 30


def _whole_days(duration: cdk.Duration, field: str) -> int:
    hours = duration.to_hours()
    if hours < 24 or hours % 24:
        raise ConfigurationError(
            field,
            duration.to_human_string(),
            "ECR lifecycle ages are whole days, at least 1 (e.g. Duration.days(14))",
        )
    return int(hours // 24)


def _count(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_IMAGE_COUNT:
        raise ConfigurationError(field, value, f"an integer from 1 to {_MAX_IMAGE_COUNT}")
    return value


def _selection(rule: ecr.LifecycleRule) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    status = rule.tag_status or (
        ecr.TagStatus.TAGGED if rule.tag_prefix_list or rule.tag_pattern_list else ecr.TagStatus.ANY
    )
    return (
        status.value,
        tuple(sorted(rule.tag_prefix_list or ())),
        tuple(sorted(rule.tag_pattern_list or ())),
    )


def _describe(selection: tuple[str, tuple[str, ...], tuple[str, ...]]) -> str:
    status, prefixes, patterns = selection
    lists = f", tag_prefix_list={list(prefixes)}" if prefixes else ""
    lists += f", tag_pattern_list={list(patterns)}" if patterns else ""
    return f"TagStatus.{status}{lists}"


class ImageRepository(Construct):
    """A private ECR repository for one image, built elsewhere and pulled by the platform.

    Images are pushed by a pipeline (``grant_push``) and pulled by task execution roles
    (``image(tag)`` binds pull permission on this repository only), by other roles
    (``grant_pull``) or by other accounts of an organization (``grant_pull_to_accounts``,
    ``grant_pull_to_organization``), all through resource-level permissions.

    Defined by default: scan on push, IMMUTABLE tags, AES-256 encryption, a lifecycle policy
    that expires untagged images 14 days after their push and never a tagged image (a tag a
    service runs must stay pullable by the instances launched later), and a RETAIN removal
    policy, so that deleting the stack never deletes images. Count-based expiry applies only to
    the tag prefixes named in ``expire_tag_prefixes`` (CI builds, pull requests).

    The repository's logical ID derives from this construct's id and path: renaming or moving
    the construct replaces the repository and loses its images.
    """

    @checked()
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository_name: str | None = None,
        mutable_tags: bool = False,
        untagged_image_expiry: cdk.Duration | None = cdk.Duration.days(14),
        max_tagged_images: int | None = None,
        expire_tag_prefixes: Sequence[str] = (),
        lifecycle_rules: Sequence[ecr.LifecycleRule] = (),
        encryption_key: kms.IKey | None = None,
        destroy_on_removal: bool = False,
    ) -> None:
        """Define the repository.

        :param repository_name: The repository's name (2-256 characters: lowercase letters,
            digits, ``.``, ``_``, ``-`` between alphanumerics, ``/`` for namespaces); changing
            it replaces the repository. Default: CloudFormation generates a name from the stack
            and construct id.
        :param mutable_tags: ``True`` lets a push move an existing tag to a new image. Default:
            IMMUTABLE tags, so a tag names the same image forever and a deploy is repeatable.
        :param untagged_image_expiry: Expire untagged images (superseded layers, failed
            pushes) this long after they were pushed; whole days. ``None`` keeps them. Default:
            14 days.
        :param max_tagged_images: For each prefix of ``expire_tag_prefixes``, keep this many of
            the most recently pushed images with a tag of that prefix and expire older ones
            (1-10000). Only with ``expire_tag_prefixes``: a count over every tagged image would
            expire a tag that a service still runs. Default: 30 when ``expire_tag_prefixes`` is
            given.
        :param expire_tag_prefixes: Prefixes of throwaway tags (CI builds, pull requests, e.g.
            ``["ci-", "pr-"]``) whose images are expired by count (``max_tagged_images``). An
            image is expired with all its tags: name no prefix that an image a service runs
            also carries (a release promoted by adding a tag to a CI image keeps its ``ci-`` tag).
            Default: no tagged image is ever expired.
        :param lifecycle_rules: More ``ecr.LifecycleRule`` values, applied in the order given
            after the untagged-image rule and before the ``expire_tag_prefixes`` rules (a
            ``TagStatus.ANY`` rule always goes last). Leave their ``rule_priority`` unset. A rule
            over every tag (``tag_pattern_list=["*"]``, ``TagStatus.ANY``) can expire an image in
            use: it is yours to write. Default: no more rules.
        :param encryption_key: A KMS key to encrypt images with (the repository is replaced if
            this changes). Default: AES-256 with an AWS-owned key.
        :param destroy_on_removal: ``True`` empties and deletes the repository when it is
            removed from the stack. Default: the repository and its images are retained.
        """
        super().__init__(scope, construct_id)
        if repository_name is not None:
            _validate_name(repository_name)
        rules = _lifecycle_rules(
            untagged_image_expiry,
            _count_rules(max_tagged_images, expire_tag_prefixes),
            lifecycle_rules,
        )
        self._mutable_tags = mutable_tags
        self._pull_accounts: set[str] = set()
        self._pull_organizations: set[str] = set()
        self.repository: ecr.Repository = ecr.Repository(
            self,
            "Repository",
            repository_name=repository_name,
            image_scan_on_push=True,
            image_tag_mutability=(
                ecr.TagMutability.MUTABLE if mutable_tags else ecr.TagMutability.IMMUTABLE
            ),
            encryption=(
                ecr.RepositoryEncryption.KMS if encryption_key else ecr.RepositoryEncryption.AES_256
            ),
            encryption_key=encryption_key,
            lifecycle_rules=rules,
            removal_policy=(
                cdk.RemovalPolicy.DESTROY if destroy_on_removal else cdk.RemovalPolicy.RETAIN
            ),
            empty_on_delete=True if destroy_on_removal else None,
        )
        """The ``ecr.Repository``."""
        if encryption_key is None:
            # ecr.Repository leaves AES-256 implicit; say it in the template for reviewers.
            cast(
                ecr.CfnRepository, self.repository.node.default_child
            ).encryption_configuration = ecr.CfnRepository.EncryptionConfigurationProperty(
                encryption_type="AES256"
            )

    def grant_pull(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pull images from this repository (and get an ECR login token).

        ``ecr:GetAuthorizationToken`` has no resource-level permissions, so the grantee's policy
        also gets it on ``*``; when the grantee is a role of this app, that one cdk-nag finding
        (``IAM5[Resource::*]``) is acknowledged on its policy, as long as nothing else in the
        policy uses ``Resource: *``.
        """
        grant = self.repository.grant_pull(grantee)
        _acknowledge_token(grantee)
        return grant

    def grant_push(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (a CI role) push images to this repository (and get a login token).

        The ``ecr:GetAuthorizationToken`` finding is acknowledged as for ``grant_pull``.
        """
        grant = self.repository.grant_push(grantee)
        _acknowledge_token(grantee)
        return grant

    def grant_pull_to_accounts(self, account_ids: Sequence[str]) -> None:
        """Let principals of other AWS accounts pull, through the repository policy.

        Each account must still allow its own roles ``ecr:BatchGetImage`` and friends on this
        repository, and ``ecr:GetAuthorizationToken``.
        """
        if isinstance(account_ids, str) or not account_ids:
            raise ConfigurationError(
                "account_ids", account_ids, "a non-empty list of 12-digit AWS account ids"
            )
        accounts: list[str] = []
        for account in account_ids:
            if not cdk.Token.is_unresolved(account) and not _ACCOUNT.fullmatch(str(account)):
                raise ConfigurationError(
                    "account_ids", account, "12-digit AWS account ids such as '123456789012'"
                )
            if account not in accounts and account not in self._pull_accounts:
                accounts.append(account)
        if not accounts:
            return  # every account already has a statement
        self._pull_accounts.update(accounts)
        self.repository.add_to_resource_policy(
            iam.PolicyStatement(
                actions=list(PULL_ACTIONS),
                principals=[iam.AccountPrincipal(a) for a in accounts],
            )
        )

    def grant_pull_to_organization(self, organization_id: str) -> None:
        """Let principals of every account of an AWS Organization pull (repository policy).

        The statement's principal is ``*`` restricted by ``aws:PrincipalOrgID``: only IAM
        principals of accounts in that organization match it.
        """
        if not cdk.Token.is_unresolved(organization_id) and not _ORGANIZATION.fullmatch(
            str(organization_id)
        ):
            raise ConfigurationError(
                "organization_id",
                organization_id,
                "an AWS Organizations id: 'o-' and 10 to 32 lowercase letters or digits",
            )
        if organization_id in self._pull_organizations:
            return
        self._pull_organizations.add(organization_id)
        self.repository.add_to_resource_policy(
            iam.PolicyStatement(
                actions=list(PULL_ACTIONS),
                principals=[iam.AnyPrincipal()],
                conditions={"StringEquals": {"aws:PrincipalOrgID": organization_id}},
            )
        )
        if len(self._pull_organizations) > 1:
            return  # acknowledged with the first organization
        acknowledge(
            cast(cdk.CfnResource, self.repository.node.default_child),
            "ECR1",
            "The '*' principal of the repository policy is only in organization pull "
            "statements, each conditioned on aws:PrincipalOrgID: only IAM principals of that "
            "organization's accounts match, and only pull actions are allowed.",
        )

    def image(self, tag: str) -> ecs.EcrImage:
        """The image tagged ``tag``, for a container definition.

        A task definition that uses it grants its execution role pull permission on this
        repository only. ``latest`` is refused while tags are immutable: it can be pushed only
        once, so it would pin the first image forever; use a version or commit tag.
        """
        if not cdk.Token.is_unresolved(tag):
            if not isinstance(tag, str) or not _TAG.fullmatch(tag):
                raise ConfigurationError(
                    "tag",
                    tag,
                    "an image tag: up to 128 letters, digits, '_', '.' or '-', "
                    "not starting with '.' or '-'",
                )
            if tag in FLOATING_TAGS and not self._mutable_tags:
                raise ConfigurationError(
                    "tag",
                    tag,
                    "a version or commit tag: the repository's tags are IMMUTABLE, so "
                    f"{tag!r} could only ever name the first image pushed with it "
                    "(or define the repository with mutable_tags=True)",
                )
        return ecs.ContainerImage.from_ecr_repository(self.repository, tag)


def _validate_name(name: str) -> None:
    if cdk.Token.is_unresolved(name):
        return
    allowed = (
        "2 to 256 characters: lowercase letters and digits, separated by single '.', '_' or '-', "
        "with '/' between namespace parts"
    )
    if not isinstance(name, str) or not 2 <= len(name) <= 256 or not _NAME.fullmatch(name):
        hint = ""
        if isinstance(name, str) and name != name.lower() and _NAME.fullmatch(name.lower()):
            hint = f" (did you mean {name.lower()!r}?)"
        raise ConfigurationError("repository_name", name, allowed + hint)


def _count_rules(
    max_tagged_images: int | None, expire_tag_prefixes: Sequence[str]
) -> list[ecr.LifecycleRule]:
    """One rule per prefix: ECR selects by a multi-entry ``tagPrefixList`` only the images that
    carry every prefix in it, so ``["ci-", "pr-"]`` in one rule would select almost nothing."""
    if isinstance(expire_tag_prefixes, str):
        raise ConfigurationError(
            "expire_tag_prefixes", expire_tag_prefixes, "a list of tag prefixes, e.g. ['ci-']"
        )
    for index, prefix in enumerate(expire_tag_prefixes):
        _validate_prefix(prefix, f"expire_tag_prefixes[{index}]")
    prefixes = list(dict.fromkeys(expire_tag_prefixes))
    if max_tagged_images is not None:
        count = _count(max_tagged_images, "max_tagged_images")
        if not prefixes:
            raise ConfigurationError(
                "max_tagged_images",
                max_tagged_images,
                "only with expire_tag_prefixes (e.g. ['ci-', 'pr-']): counting every tagged "
                "image would expire a tag that a service still runs as soon as "
                f"{count} newer images are pushed, and an instance launched afterwards could "
                "not pull it; name the prefixes of throwaway tags (CI builds, pull requests), "
                "or leave max_tagged_images out to keep every tagged image",
            )
    else:
        count = _DEFAULT_TAGGED_IMAGES
    return [
        ecr.LifecycleRule(
            description=f"Keep the {count} most recent images tagged {prefix}*",
            tag_status=ecr.TagStatus.TAGGED,
            tag_prefix_list=[prefix],
            max_image_count=count,
        )
        for prefix in prefixes
    ]


def _validate_prefix(prefix: str, field: str) -> None:
    if cdk.Token.is_unresolved(prefix):
        return
    if not isinstance(prefix, str) or not prefix:
        raise ConfigurationError(
            field,
            prefix,
            "a non-empty tag prefix: an empty one would select every tagged image, including "
            "those services run",
        )
    if not _TAG.fullmatch(prefix):
        raise ConfigurationError(
            field,
            prefix,
            "the start of an image tag: up to 128 letters, digits, '_', '.' or '-' (no "
            "wildcards), not starting with '.' or '-'",
        )


def _lifecycle_rules(
    untagged_image_expiry: cdk.Duration | None,
    count_rules: Sequence[ecr.LifecycleRule],
    extra: Sequence[ecr.LifecycleRule],
) -> list[ecr.LifecycleRule]:
    """The lifecycle policy in evaluation order, validated; priorities 1, 2, 3... in that order."""
    head: list[ecr.LifecycleRule] = []
    if untagged_image_expiry is not None:
        days = _whole_days(untagged_image_expiry, "untagged_image_expiry")
        head.append(
            ecr.LifecycleRule(
                description=f"Expire untagged images {days} days after they were pushed",
                tag_status=ecr.TagStatus.UNTAGGED,
                max_image_age=cdk.Duration.days(days),
            )
        )
    counted = {_selection(rule) for rule in count_rules}
    middle: list[ecr.LifecycleRule] = []
    last: list[ecr.LifecycleRule] = []
    seen: dict[tuple[str, tuple[str, ...], tuple[str, ...]], int] = {}
    for index, rule in enumerate(extra):
        field = f"lifecycle_rules[{index}]"
        _validate_extra_rule(rule, field, untagged_image_expiry)
        selection = _selection(rule)
        if selection in seen:
            raise ConfigurationError(
                field,
                _describe(selection),
                f"a selection of images no other rule has: lifecycle_rules[{seen[selection]}] "
                "already selects the same images, so this rule would never apply",
            )
        if selection in counted:
            raise ConfigurationError(
                field,
                _describe(selection),
                "a selection of images no other rule has: expire_tag_prefixes already "
                "selects the same images, so this rule would never apply",
            )
        seen[selection] = index
        # Two ANY rules select the same images, so the check above leaves at most one.
        (last if selection[0] == ecr.TagStatus.ANY.value else middle).append(rule)
    ordered = head + middle + list(count_rules) + last
    return [
        ecr.LifecycleRule(
            description=rule.description,
            tag_status=rule.tag_status,
            tag_prefix_list=rule.tag_prefix_list,
            tag_pattern_list=rule.tag_pattern_list,
            max_image_count=rule.max_image_count,
            max_image_age=rule.max_image_age,
            rule_priority=priority,
        )
        for priority, rule in enumerate(ordered, start=1)
    ]


def _validate_extra_rule(
    rule: ecr.LifecycleRule, field: str, untagged_image_expiry: cdk.Duration | None
) -> None:
    if rule.rule_priority is not None:
        raise ConfigurationError(
            f"{field}.rule_priority",
            rule.rule_priority,
            "unset: rules apply in list order, after the untagged-image rule and before the "
            "expire_tag_prefixes rules",
        )
    if (rule.max_image_count is None) == (rule.max_image_age is None):
        raise ConfigurationError(
            field,
            f"max_image_count={rule.max_image_count!r}, max_image_age="
            f"{rule.max_image_age.to_human_string() if rule.max_image_age else None!r}",
            "exactly one of max_image_count and max_image_age",
        )
    if rule.max_image_count is not None:
        _count(cast(int, rule.max_image_count), f"{field}.max_image_count")
    if rule.max_image_age is not None:
        _whole_days(rule.max_image_age, f"{field}.max_image_age")
    status = _selection(rule)[0]
    has_lists = bool(rule.tag_prefix_list or rule.tag_pattern_list)
    if status == ecr.TagStatus.TAGGED.value and (
        not has_lists or (rule.tag_prefix_list and rule.tag_pattern_list)
    ):
        raise ConfigurationError(
            field,
            "TagStatus.TAGGED",
            "exactly one of tag_prefix_list and tag_pattern_list with a TAGGED rule",
        )
    if status != ecr.TagStatus.TAGGED.value and has_lists:
        raise ConfigurationError(
            field, f"TagStatus.{status}", "tag_prefix_list/tag_pattern_list only on TAGGED rules"
        )
    if status == ecr.TagStatus.UNTAGGED.value and untagged_image_expiry is not None:
        raise ConfigurationError(
            field,
            "TagStatus.UNTAGGED",
            "no second rule for untagged images: untagged_image_expiry already governs them "
            "(pass untagged_image_expiry=None to write your own)",
        )


def _acknowledge_token(grantee: iam.IGrantable) -> None:
    explain_wildcards(grantee.grant_principal, ecr_token_reason)
