"""Scoped cdk-nag acknowledgements: one rule, one resource, one reason.

The packs: AwsSolutions (``PACK``), which every test and ``app.py`` run, and HIPAA Security and
NIST 800-53 rev 5 (``COMPLIANCE_PACKS``), which the compliance tests run; a rule of the same
name in both (``IAMNoInlinePolicy``) is acknowledged in each with one call.

Two kinds:

- ``acknowledge(resource, rule, reason, packs=...)``: a finding whose id does not depend on
  where the stack is deployed (``EC23``, ``IAM5[Resource::*]``, ``ELBDeletionProtectionEnabled``),
  made when the construct is defined.
- ``explain_wildcards(entity, reason_for)`` / ``explain_managed_policies(entity, reason_for)``:
  findings whose id holds an ARN (``IAM5[Resource::arn:...]``, ``IAM4[Policy::arn:...]``). The
  ARN cdk-nag reports depends on the stack's environment (``arn:aws-cn:...:cn-north-1:...`` in a
  concrete one, ``arn:<AWS::Partition>:...`` in an environment-agnostic one) and on where the
  resources it names live (a ``Fn::GetStackOutput`` for one in another stack). So these are
  decided when the app is validated: after cross-stack references are resolved, from the
  policy as cdk-nag will read it, one finding at a time, and only when a reason explains every
  statement that holds it (a grant someone adds later stays a finding).

Both cdk-nag majors read them. cdk-nag 3 packs are validation plugins
(``cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))``) and read the acknowledgements
aws-cdk-lib records (``cdk.Validations.of(x).acknowledge``). cdk-nag 2 packs are aspects
(``cdk.Aspects.of(app).add(AwsSolutionsChecks())``) and read ``cdk_nag`` metadata on each
resource, a finding in ``applies_to``. A stage holding an acknowledgement of this library has one
aspect that runs before those of the default priority: under a cdk-nag 2 pack, it decides the
deferred acknowledgements (from the policies as cdk-nag 2 reads them, before references are
resolved) and writes every acknowledgement (this library's, aws-cdk-lib's own such as
``CloudFormation-Validate::W3010``, the app's) in cdk-nag 2's form, as cdk-nag 3 does with
``write_suppressions_to_cloud_formation``. A cdk-nag
3 pack added as an aspect (the cdk-nag 2 line on cdk-nag 3, on which aws-cdk-lib stops with
``aspect.visit is not a function``) raises a ``ConfigurationError`` naming the line to write.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct, IValidation

from constructs_ecs._errors import ConfigurationError

WildcardReason = Callable[[frozenset[str], str], "str | None"]
"""Given a statement's actions and one wildcard resource (as cdk-nag renders it), the reason
to acknowledge it, or ``None`` to leave the finding to the user."""

ManagedPolicyReason = Callable[[str], "str | None"]
"""Given an AWS managed policy ARN (as cdk-nag renders it), the reason to acknowledge it."""

PACK = "AwsSolutions"
"""cdk-nag's AwsSolutions pack: the one ``acknowledge`` answers unless told otherwise."""
HIPAA = "HIPAA.Security"
"""cdk-nag's HIPAA Security pack (``HIPAASecurityChecks``)."""
NIST = "NIST.800.53.R5"
"""cdk-nag's NIST 800-53 rev 5 pack (``NIST80053R5Checks``)."""
COMPLIANCE_PACKS = (HIPAA, NIST)
"""The packs whose rules of the same name (``CloudWatchLogGroupEncrypted``, ...) the library
answers together."""

#: cdk-nag's minimum for a suppression's reason, kept for the same purpose: a sentence.
MIN_REASON_LENGTH = 10

ARN = (
    r"arn:(?:<AWS::Partition>|[^:<]+):{service}:"
    r"(?:<AWS::Region>|[^:<]*):(?:<AWS::AccountId>|[^:<]*):"
)
"""The start of an ARN of ``service`` as cdk-nag renders it, whatever the environment: the
partition, region and account are literals or ``<AWS::...>`` pseudo parameters."""

LOG_STREAMS_OF_ONE_GROUP = re.compile(ARN.format(service="logs") + r"log-group:.+:\*$")

_ACKNOWLEDGEMENTS_ID = "NagAcknowledgements"
_ACKNOWLEDGEMENTS_ATTRIBUTE = "_constructs_ecs_acknowledgements"
_WRITES_SUPPRESSIONS_ATTRIBUTE = "_constructs_ecs_writes_nag_suppressions"
#: The aspect cdk-nag registers when suppressions are written into the template's metadata.
_WRITES_SUPPRESSIONS = "WriteNagSuppressionsToCloudFormationAspect"


def arn_pattern(service: str, resource: str) -> re.Pattern[str]:
    """A regex matching ``arn:<partition>:<service>:<region>:<account>:<resource>`` exactly,
    for any partition, region and account (literal or pseudo parameter); ``resource`` is a
    regex."""
    return re.compile(ARN.format(service=re.escape(service)) + resource + "$")


def acknowledge(
    resource: IConstruct, rule: str, reason: str, *, packs: Sequence[str] = (PACK,)
) -> None:
    """Acknowledge ``rule`` of each of ``packs`` (e.g. ``"IAM5[Resource::*]"`` of
    AwsSolutions) on ``resource`` only.

    Pass the L1 (``CfnResource``) child where the L2 has children of its own: an
    acknowledgement applies to the whole subtree it is made on.
    """
    cdk.Validations.of(resource).acknowledge(
        *(cdk.Acknowledgment(id=f"{pack}-{rule}", reason=reason) for pack in packs)
    )
    _ensure_registration_check(resource)


def require_reason(field: str, reason: object) -> None:
    """``reason`` is a literal sentence a reviewer can read in the template."""
    if not isinstance(reason, str) or cdk.Token.is_unresolved(reason):
        shown = "<a CDK token>" if isinstance(reason, str) else reason
        raise ConfigurationError(field, shown, "a sentence (a literal str) saying why")
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ConfigurationError(
            field,
            reason,
            f"must say why, in at least {MIN_REASON_LENGTH} characters (reviewers read it in "
            "the template)",
        )


def flatten_reference(node: Any) -> str:
    """cdk-nag's rendering of a CloudFormation value in a finding id (flatten-cfn-reference)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"), ensure_ascii=False)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


REASON_ECR_TOKEN = (
    "ecr:GetAuthorizationToken does not support resource-level permissions; the image pull "
    "and push actions themselves are scoped to the repositories used."
)


def ecr_token_reason(actions: frozenset[str], resource: str) -> str | None:
    """``ecr:GetAuthorizationToken`` on ``*``: the one ECR action without resource scoping."""
    if resource == "*" and actions == {"ecr:GetAuthorizationToken"}:
        return REASON_ECR_TOKEN
    return None


def explain_wildcards(entity: object, reason_for: WildcardReason) -> None:
    """Acknowledge the ``IAM5[Resource::...]`` findings of ``entity`` (a role: its inline
    policies and default policy; or a policy) that ``reason_for`` explains, when the app is
    validated; any other wildcard stays a finding. An imported role (whose policies this app
    does not define) is left alone."""
    acknowledgements = _acknowledgements_of(entity)
    if acknowledgements is not None:
        acknowledgements.wildcard_reasons.append(reason_for)


REASON_INLINE_POLICY = (
    "Grants write each statement into this role's own policy, scoped to the resources this "
    "app uses; a customer-managed policy would hold the same statements, and an inline policy "
    "goes with its role."
)


def explain_inline_policies(entity: object, reason: str = REASON_INLINE_POLICY) -> None:
    """Acknowledge HIPAA Security's and NIST 800-53 rev 5's ``IAMNoInlinePolicy`` on the
    policies of ``entity`` (a role: its inline policies and default policy, which grants may
    create later; or a policy), when the app is validated. An imported role is left alone."""
    acknowledgements = _acknowledgements_of(entity)
    if acknowledgements is not None:
        acknowledgements.inline_policy_reason = reason


def acknowledge_log_group_key(log_group: IConstruct, option: str) -> None:
    """``log_group`` is encrypted with the key CloudWatch Logs manages: ``option`` names where
    a customer-managed key is given instead. Made on the ``logs.LogGroup`` itself, whose subtree
    holds its one ``AWS::Logs::LogGroup`` (the rule asks nothing of anything else)."""
    acknowledge(
        log_group,
        "CloudWatchLogGroupEncrypted",
        "CloudWatch Logs encrypts this log group at rest with a key it manages; "
        f"{option} encrypts it with a customer-managed KMS key instead.",
        packs=COMPLIANCE_PACKS,
    )


def explain_managed_policies(role: object, reason_for: ManagedPolicyReason) -> None:
    """Acknowledge the ``IAM4[Policy::...]`` findings of ``role`` that ``reason_for`` explains,
    when the app is validated."""
    acknowledgements = _acknowledgements_of(role)
    if acknowledgements is not None:
        acknowledgements.managed_policy_reasons.append(reason_for)


def _acknowledgements_of(entity: object) -> _Acknowledgements | None:
    if not isinstance(entity, iam.Role | iam.Policy):
        return None
    # Kept on the entity's Python object too: asking its node costs a round trip to Node.js.
    held = entity.__dict__.get(_ACKNOWLEDGEMENTS_ATTRIBUTE)
    if isinstance(held, _Acknowledgements):
        return held
    # Made already when the entity was reached through another Python object of it.
    held = entity.node.try_find_child(_ACKNOWLEDGEMENTS_ID)
    if held is None:
        held = _Acknowledgements(entity, _ACKNOWLEDGEMENTS_ID)
    setattr(entity, _ACKNOWLEDGEMENTS_ATTRIBUTE, held)
    return cast(_Acknowledgements, held)


@jsii.implements(IValidation)
class _Acknowledgements(Construct):
    """Defines nothing: holds the reasons given for one IAM entity's findings, and turns them
    into acknowledgements when the app is validated."""

    def __init__(self, scope: iam.Role | iam.Policy, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._entity = scope
        self.wildcard_reasons: list[WildcardReason] = []
        self.managed_policy_reasons: list[ManagedPolicyReason] = []
        self.inline_policy_reason: str | None = None
        self.node.add_validation(self)
        check = _ensure_registration_check(scope)
        if check is not None:
            check.deferred[scope.node.path] = self

    def validate(self) -> list[str]:
        resources = list(self._resources())
        if not resources:
            return []
        # One stack and one stage for the entity's resources: asked once, not per resource.
        stack = cdk.Stack.of(self._entity)
        record = _writes_suppressions(stack)
        why = self.inline_policy_reason
        for resource in resources:
            rules: dict[str, str] = {}
            inline = False
            if isinstance(resource, iam.CfnPolicy):
                inline = True
                if self.wildcard_reasons:
                    rules |= self._wildcards(stack, [stack.resolve(resource.policy_document)])
            elif isinstance(resource, iam.CfnRole):
                policies = resource.policies
                inline = bool(policies)
                if inline and self.wildcard_reasons:
                    resolved = stack.resolve(policies) or []
                    documents = [stack.resolve(p.get("policyDocument")) for p in resolved]
                    rules |= self._wildcards(stack, documents)
                rules |= self._managed_policies(stack, resource)
            for rule, reason in rules.items():
                acknowledge(resource, rule, reason)
                if record:
                    _record_in_template(resource, f"{PACK}-{rule}", reason)
            if why is not None and inline:
                acknowledge(resource, "IAMNoInlinePolicy", why, packs=COMPLIANCE_PACKS)
                if record:
                    for pack in COMPLIANCE_PACKS:
                        _record_in_template(resource, f"{pack}-IAMNoInlinePolicy", why)
        return []

    def _resources(self) -> Iterator[cdk.CfnResource]:
        node = self._entity.node
        own = node.default_child
        if isinstance(own, cdk.CfnResource):
            yield own
        if isinstance(self._entity, iam.Role):
            policy = node.try_find_child("DefaultPolicy")
            if policy is not None:
                child = policy.node.default_child
                if isinstance(child, cdk.CfnResource):
                    yield child

    def _wildcards(self, stack: cdk.Stack, documents: list[Any]) -> dict[str, str]:
        if not self.wildcard_reasons:
            return {}
        reasons: dict[str, list[str | None]] = {}
        for document in documents:
            for statement in (document or {}).get("Statement", []):
                if statement.get("Effect") != "Allow":
                    continue
                actions = frozenset(_as_list(statement.get("Action", [])))
                for value in _as_list(statement.get("Resource", [])):
                    resource = flatten_reference(stack.resolve(value))
                    if "*" in resource:
                        reason = next(
                            (r for f in self.wildcard_reasons if (r := f(actions, resource))), None
                        )
                        reasons.setdefault(resource, []).append(reason)
        return {
            f"IAM5[Resource::{resource}]": " ".join(dict.fromkeys(cast(list[str], found)))
            for resource, found in reasons.items()
            if all(reason is not None for reason in found)
        }

    def _managed_policies(self, stack: cdk.Stack, role: iam.CfnRole) -> dict[str, str]:
        if not self.managed_policy_reasons:
            return {}
        rules: dict[str, str] = {}
        for value in stack.resolve(role.managed_policy_arns) or []:
            arn = flatten_reference(stack.resolve(value))
            reason = next((r for f in self.managed_policy_reasons if (r := f(arn))), None)
            if reason is not None and ":iam::aws:" in arn:
                rules[f"IAM4[Policy::{arn}]"] = reason
        return rules


def _record_in_template(resource: cdk.CfnResource, rule_id: str, reason: str) -> None:
    """Add ``rule_id`` to the ``cdk_nag`` metadata cdk-nag writes into the template (call it
    when the app asked cdk-nag to: ``_writes_suppressions``), which it wrote from the
    acknowledgements made before validation."""
    metadata = resource.get_metadata("cdk_nag") or {}
    rules = list(metadata.get("rules_to_suppress", []))
    if all(rule.get("id") != rule_id for rule in rules):
        rules.append({"id": rule_id, "reason": reason})
    resource.add_metadata("cdk_nag", {**metadata, "rules_to_suppress": rules})


def _writes_suppressions(construct: IConstruct) -> bool:
    """Whether a stage holding ``construct`` has cdk-nag's aspect that writes suppressions into
    the template. Asked when the app is validated, when every aspect has been added; the
    answer is kept on the construct's stack (asking costs round trips to Node.js)."""
    stack = construct if isinstance(construct, cdk.Stack) else cdk.Stack.of(construct)
    held = stack.__dict__.get(_WRITES_SUPPRESSIONS_ATTRIBUTE)
    if held is None:
        held = _asks_to_write_suppressions(stack)
        setattr(stack, _WRITES_SUPPRESSIONS_ATTRIBUTE, held)
    return bool(held)


def _asks_to_write_suppressions(construct: IConstruct) -> bool:
    # An app that added cdk-nag's aspect has imported cdk_nag; cdk-nag 2 has no such aspect.
    cdk_nag = sys.modules.get("cdk_nag")
    aspect_class = getattr(cdk_nag, _WRITES_SUPPRESSIONS, None) if cdk_nag else None
    if aspect_class is None:
        return False
    return any(
        isinstance(aspect, aspect_class)
        for scope in construct.node.scopes
        if isinstance(scope, cdk.Stage)
        for aspect in cdk.Aspects.of(scope).all
    )


# -- both cdk-nag majors ----------------------------------------------------------------------

_CHECK_ATTRIBUTE = "_constructs_ecs_nag_registration_check"


@functools.cache
def _acknowledged() -> str:
    """The metadata type of aws-cdk-lib's acknowledgements (asked once: a round trip)."""
    return str(cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY)


#: How aws-cdk-lib records an acknowledged id that names no prefix (``AwsSolutions-S1``).
_UNPREFIXED = "Annotation::"
#: Runs before every aspect of a higher number, such as a pack added with the default priority.
_FIRST = 0

_V3_AS_ASPECT = (
    "cdk-nag {version} packs are validation plugins, not aspects: write "
    "cdk.Validations.of(app).add_plugins({pack}(app)) instead of "
    "cdk.Aspects.of(app).add({pack}()) (aws-cdk-lib would stop with 'aspect.visit is not a "
    "function'), or keep cdk-nag 2 (pip install 'cdk-nag>=2.32,<3') for the Aspects form"
)


def _nag_pack_class() -> type | None:
    # A pack exists only once cdk_nag is imported: an app without one pays no import.
    module = sys.modules.get("cdk_nag")
    pack_class = getattr(module, "NagPack", None)
    return pack_class if isinstance(pack_class, type) else None


def is_aspect_pack(pack: object) -> bool:
    """Whether the cdk-nag pack (class or instance) is an aspect (cdk-nag 2), not a
    validation plugin (cdk-nag 3)."""
    return callable(getattr(pack, "visit", None))


def _cdk_nag_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cdk-nag")
    except PackageNotFoundError:  # pragma: no cover - imported, so installed
        return "3"


def nag_aspects(construct: IConstruct) -> list[Any]:
    """The cdk-nag packs registered as aspects on ``construct`` or any scope above it."""
    pack_class = _nag_pack_class()
    if pack_class is None:
        return []
    return [
        aspect
        for scope in construct.node.scopes
        for aspect in cdk.Aspects.of(scope).all
        if isinstance(aspect, pack_class)
    ]


def check_nag_registration(construct: IConstruct) -> list[Any]:
    """The cdk-nag 2 packs registered as aspects over ``construct``; raise
    ``ConfigurationError`` for a pack registered as an aspect that is not one (cdk-nag 3's
    packs are validation plugins), naming the line to write instead."""
    packs = nag_aspects(construct)
    for pack in packs:
        if not is_aspect_pack(pack):
            name = type(pack).__name__
            raise ConfigurationError(
                "cdk.Aspects.of(app).add",
                f"{name}()",
                _V3_AS_ASPECT.format(version=_cdk_nag_version(), pack=name),
            )
    return packs


def _cdk_nag_2_installed() -> bool:
    """Whether the installed cdk-nag is a 2.x (read from the package's metadata, not imported)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cdk-nag").startswith("2.")
    except PackageNotFoundError:
        return False


def _ensure_registration_check(construct: IConstruct) -> _NagRegistrationCheck | None:
    """The one ``_NagRegistrationCheck`` of the stage of ``construct``, added if missing (kept
    on the stage's Python object too: asking its aspects costs round trips to Node.js).

    Only where cdk-nag 2 is installed, whose packs read acknowledgements in a form of their
    own: the aspect visits every construct of the stage, one call from Node.js into Python
    each (about 15 % of a synthesis of 100 services). With cdk-nag 3, or none, there is no
    aspect, and the test kit's ``synth`` refuses a pack added the 2.x way before synthesizing.
    """
    stage = cdk.Stage.of(construct)
    if stage is None:
        return None
    held = stage.__dict__.get(_CHECK_ATTRIBUTE)
    if isinstance(held, _NagRegistrationCheck):
        return held
    if held is False:
        return None
    if not _cdk_nag_2_installed():
        setattr(stage, _CHECK_ATTRIBUTE, False)
        return None
    check = next(
        (a for a in cdk.Aspects.of(stage).all if isinstance(a, _NagRegistrationCheck)), None
    )
    if check is None:
        check = _NagRegistrationCheck()
        cdk.Aspects.of(stage).add(check, priority=_FIRST)
    setattr(stage, _CHECK_ATTRIBUTE, check)
    return check


class _Nag2Writer:
    """Writes acknowledgements in cdk-nag 2's form, one construct at a time, in the order
    aspects visit them (parents first), each before cdk-nag 2's pack visits it: a few round
    trips per construct, for jsii before 1.142 fails when one callback makes more than about a
    thousand."""

    def __init__(self, deferred: Mapping[str, _Acknowledgements]) -> None:
        #: The deferred acknowledgements not decided yet, by the path of their IAM entity.
        self._deferred = dict(deferred)
        #: Acknowledgements by the path of the construct they were made on (its subtree).
        self._pending: dict[str, list[tuple[str, str]]] = {}

    def handle(self, node: IConstruct) -> None:
        path = node.node.path
        for entity, deferred in list(self._deferred.items()):
            if path == entity or path.startswith(entity + "/"):
                del self._deferred[entity]
                deferred.validate()  # acknowledges on the entity's resources, not visited yet
        acknowledged = [
            (str(qualified).removeprefix(_UNPREFIXED), str(reason))
            for entry in node.node.metadata
            if entry.type == _acknowledged() and isinstance(entry.data, Mapping)
            for qualified, reason in entry.data.items()
        ]
        if acknowledged:
            self._pending.setdefault(path, []).extend(acknowledged)
        if isinstance(node, cdk.CfnResource):
            for scope, rules in self._pending.items():
                if path == scope or path.startswith(scope + "/"):
                    for rule_id, reason in rules:
                        _record_for_cdk_nag_2(node, rule_id, reason)


def record_for_cdk_nag_2(stage: cdk.Stage) -> None:
    """Write every acknowledgement in ``stage`` in cdk-nag 2's form (for a pack run on an app
    that did not register one; outside any callback)."""
    check = stage.__dict__.get(_CHECK_ATTRIBUTE)
    writer = _Nag2Writer(check.deferred if isinstance(check, _NagRegistrationCheck) else {})
    for construct in stage.node.find_all():
        writer.handle(construct)


@jsii.implements(cdk.IAspect)
class _NagRegistrationCheck:
    """On a stage, before any aspect of the default priority: checks how cdk-nag was
    registered on each stage and stack (see the module docstring) and, under a cdk-nag 2 pack,
    writes each construct's acknowledgements in cdk-nag 2's form before that pack visits it."""

    def __init__(self) -> None:
        #: The deferred acknowledgements of the stage, by the path of their IAM entity.
        self.deferred: dict[str, _Acknowledgements] = {}
        self._writer: _Nag2Writer | None = None

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, cdk.Stage | cdk.Stack) and check_nag_registration(node):
            self._writer = self._writer or _Nag2Writer(self.deferred)
        if self._writer is not None:
            self._writer.handle(node)


_FINDING = re.compile(r"^(?P<rule>[^\[]+)\[(?P<finding>.+)\]$")


def _record_for_cdk_nag_2(resource: cdk.CfnResource, rule_id: str, reason: str) -> None:
    """Add the acknowledgement of ``rule_id`` to ``resource``'s ``cdk_nag`` metadata in
    cdk-nag 2's form: ``{"id": "AwsSolutions-IAM5", "reason": ..., "applies_to": [finding]}``
    for a finding (``AwsSolutions-IAM5[Resource::*]``), ``{"id": ..., "reason": ...}`` for a
    whole rule."""
    match = _FINDING.match(rule_id)
    entry: dict[str, Any] = {"id": match["rule"] if match else rule_id, "reason": reason}
    if match:
        entry["applies_to"] = [match["finding"]]
    metadata = resource.get_metadata("cdk_nag") or {}
    rules = list(metadata.get("rules_to_suppress", []))
    if entry not in rules:
        rules.append(entry)
    resource.add_metadata("cdk_nag", {**metadata, "rules_to_suppress": rules})
