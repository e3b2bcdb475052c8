"""IAM roles of an assembly: who may assume them, what they may do, and who uses them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from constructs_ecs.review._assembly import Assembly, ResourceKey, StackTemplate
from constructs_ecs.review._intrinsics import Resolver, as_list, intrinsic, properties_of

ROLE = "AWS::IAM::Role"
POLICY = "AWS::IAM::Policy"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
ROLE_POLICY = "AWS::IAM::RolePolicy"
_ATTACHMENTS = {POLICY, MANAGED_POLICY, ROLE_POLICY}
BROAD_MANAGED_POLICIES = frozenset(
    {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "ReadOnlyAccess"}
)


def wildcard_action(action: str) -> bool:
    """``*``, ``service:*`` and patterns such as ``ec2:Describe*``."""
    return "*" in action or "?" in action


def wildcard_resource(resource: str) -> bool:
    return resource == "*"


@dataclass(frozen=True, kw_only=True)
class Grant:
    """Statements of one role merged by (effect, resources, condition)."""

    effect: str
    resources: tuple[str, ...]
    not_resource: bool
    actions: tuple[str, ...]
    not_action: bool
    condition: str
    policies: tuple[str, ...]

    @property
    def wildcard(self) -> bool:
        """An ``Allow`` with a wildcard action or resource, ``NotAction`` or ``NotResource``."""
        return self.effect == "Allow" and (
            self.not_action
            or self.not_resource
            or any(wildcard_action(a) for a in self.actions)
            or any(wildcard_resource(r) for r in self.resources)
        )


@dataclass(frozen=True, kw_only=True)
class RolePermissions:
    key: ResourceKey
    trust: tuple[str, ...]
    used_by: tuple[str, ...]
    grants: tuple[Grant, ...]
    managed_policies: tuple[str, ...]
    """AWS-managed (or otherwise external) policies: their contents are not in the template."""
    boundary: str | None


RESOURCE_POLICIES: dict[str, tuple[str, str | None]] = {
    "AWS::S3::BucketPolicy": ("PolicyDocument", "Bucket"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", "Topics"),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", "Queues"),
    "AWS::ECR::Repository": ("RepositoryPolicyText", None),
    "AWS::KMS::Key": ("KeyPolicy", None),
}
"""Resource type -> (property holding the policy document, property naming the resources it
governs; ``None``: the resource itself)."""

_ANYONE = frozenset({"*", "AWS: *"})


@dataclass(frozen=True, kw_only=True)
class ResourceStatement:
    """One statement of a resource policy: who may do what to the resource."""

    effect: str
    principals: tuple[str, ...]
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    condition: str

    @property
    def open_to_anyone(self) -> bool:
        """An ``Allow`` to every principal (``*``, or ``NotPrincipal``) with no condition."""
        return (
            self.effect == "Allow"
            and not self.condition
            and (self.not_principal or any(p in _ANYONE for p in self.principals))
        )


@dataclass(frozen=True, kw_only=True)
class ResourcePolicy:
    """The resource policy of a bucket, topic, queue, repository or key."""

    key: ResourceKey
    """The resource that holds the policy (the ``BucketPolicy``, or the repository or key)."""
    governs: tuple[str, ...]
    """What it applies to, by name; empty when the policy is the resource's own (repository,
    key)."""
    statements: tuple[ResourceStatement, ...]


@dataclass(frozen=True, kw_only=True)
class _Statement:
    effect: str
    resources: tuple[str, ...]
    not_resource: bool
    actions: tuple[str, ...]
    not_action: bool
    condition: str
    policy: str


class Iam:
    """The IAM facts of one assembly, computed once."""

    def __init__(self, assembly: Assembly, resolver: Resolver) -> None:
        self.assembly = assembly
        self.resolver = resolver

    def _condition(self, stack: StackTemplate, value: Any) -> str:
        if not isinstance(value, dict) or intrinsic(value) is not None:
            return self.resolver.render(stack, value) if value else ""
        parts = []
        for operator in sorted(value, key=str):
            clauses = value[operator]
            if isinstance(clauses, dict) and intrinsic(clauses) is None:
                for key in sorted(clauses, key=str):
                    parts.append(f"{operator} {key} = {self.resolver.render(stack, clauses[key])}")
            else:
                parts.append(f"{operator} {self.resolver.render(stack, clauses)}")
        return "; ".join(parts)

    def _strings(self, stack: StackTemplate, value: Any) -> tuple[str, ...]:
        return tuple(sorted({self.resolver.render(stack, item) for item in as_list(value)}))

    @staticmethod
    def _raw_statements(document: Any) -> list[dict[str, Any]]:
        """The literal statements of a policy document (intrinsics in their place skipped)."""
        if not isinstance(document, dict) or intrinsic(document) is not None:
            return []
        return [
            statement
            for statement in as_list(document.get("Statement"))
            if isinstance(statement, dict) and intrinsic(statement) is None
        ]

    def statements(self, stack: StackTemplate, document: Any, policy: str) -> list[_Statement]:
        found = []
        for statement in self._raw_statements(document):
            effect = self.resolver.literal(stack, statement.get("Effect")) or "Allow"
            not_action = "NotAction" in statement
            not_resource = "NotResource" in statement
            found.append(
                _Statement(
                    effect=effect,
                    actions=self._strings(
                        stack, statement.get("NotAction" if not_action else "Action")
                    ),
                    not_action=not_action,
                    resources=self._strings(
                        stack, statement.get("NotResource" if not_resource else "Resource")
                    ),
                    not_resource=not_resource,
                    condition=self._condition(stack, statement.get("Condition")),
                    policy=policy,
                )
            )
        return found

    def _principals(self, stack: StackTemplate, principal: Any) -> tuple[str, ...]:
        if isinstance(principal, dict) and intrinsic(principal) is None:
            return tuple(
                sorted(
                    f"{kind}: {self.resolver.render(stack, value)}"
                    for kind in principal
                    for value in as_list(principal[kind])
                )
            )
        return (self.resolver.render(stack, principal),) if principal is not None else ()

    def _names(self, stack: StackTemplate, value: Any) -> tuple[str, ...]:
        """Resources named by ``value`` (references), by name; anything else rendered."""
        names = []
        for item in as_list(value):
            key = self.resolver.key(stack, item)
            if key is not None and self.assembly.resource(key) is not None:
                names.append(self.resolver.name_of(key, relative_to=stack))
            else:
                names.append(self.resolver.render(stack, item))
        return tuple(sorted(set(names)))

    def resource_policies(self, stack: StackTemplate) -> list[ResourcePolicy]:
        """The resource policies of ``stack``, in template order."""
        found = []
        for logical_id, resource in stack.of_type(*RESOURCE_POLICIES):
            document_property, governed = RESOURCE_POLICIES[str(resource["Type"])]
            properties = properties_of(resource)
            document = properties.get(document_property)
            if document is None:
                continue
            governs = self._names(stack, properties.get(governed)) if governed is not None else ()
            statements = []
            for statement in self._raw_statements(document):
                not_principal = "NotPrincipal" in statement
                not_action = "NotAction" in statement
                statements.append(
                    ResourceStatement(
                        effect=self.resolver.literal(stack, statement.get("Effect")) or "Allow",
                        principals=self._principals(
                            stack,
                            statement.get("NotPrincipal" if not_principal else "Principal"),
                        ),
                        not_principal=not_principal,
                        actions=self._strings(
                            stack, statement.get("NotAction" if not_action else "Action")
                        ),
                        not_action=not_action,
                        resources=self._strings(stack, statement.get("Resource")),
                        condition=self._condition(stack, statement.get("Condition")),
                    )
                )
            found.append(
                ResourcePolicy(
                    key=(stack.key, logical_id), governs=governs, statements=tuple(statements)
                )
            )
        return found

    def _trust(self, stack: StackTemplate, document: Any) -> tuple[str, ...]:
        found: list[str] = []
        if not isinstance(document, dict):
            return ()
        for statement in as_list(document.get("Statement")):
            if not isinstance(statement, dict):
                continue
            actions = [self.resolver.render(stack, a) for a in as_list(statement.get("Action"))]
            suffix = ""
            if actions and actions != ["sts:AssumeRole"]:
                suffix += " (" + ", ".join(actions) + ")"
            if statement.get("Condition"):
                suffix += " when " + self._condition(stack, statement["Condition"])
            found.extend(p + suffix for p in self._principals(stack, statement.get("Principal")))
        return tuple(sorted(set(found)))

    @cached_property
    def _attached(self) -> tuple[dict[ResourceKey, list[_Statement]], dict[str, list[_Statement]]]:
        """Statements of policy resources, by the role they are attached to (or, for roles
        outside the assembly, by the role's rendering)."""
        by_role: dict[ResourceKey, list[_Statement]] = {}
        external: dict[str, list[_Statement]] = {}
        for stack in self.assembly.stacks:
            for logical_id, resource in stack.of_type(POLICY, MANAGED_POLICY, ROLE_POLICY):
                properties = properties_of(resource)
                statements = self.statements(stack, properties.get("PolicyDocument"), logical_id)
                policy_name = self.resolver.name_of((stack.key, logical_id))
                statements = [
                    _Statement(**{**s.__dict__, "policy": policy_name}) for s in statements
                ]
                if resource["Type"] == ROLE_POLICY:
                    roles = [properties.get("RoleName")]
                else:
                    _, value = self.resolver.deref(stack, properties.get("Roles"))
                    roles = as_list(value)
                for role in roles:
                    key = self.resolver.key(stack, role)
                    target = self.assembly.resource(key) if key else None
                    if key is not None and target is not None and target["Type"] == ROLE:
                        by_role.setdefault(key, []).extend(statements)
                    elif role is not None:
                        external.setdefault(self.resolver.render(stack, role), []).extend(
                            statements
                        )
        return by_role, external

    def _used_by(self, key: ResourceKey) -> tuple[str, ...]:
        found = set()
        role_stack = self.assembly.stack(key[0])
        for reference in self.resolver.referrers(key):
            source = self.assembly.resource(reference.source)
            if source is None or source["Type"] in _ATTACHMENTS:
                continue
            name = self.resolver.name_of(reference.source, relative_to=role_stack)
            found.add(f"{name}.{reference.path}")
        return tuple(sorted(found))

    @staticmethod
    def _grants(statements: Iterable[_Statement]) -> tuple[Grant, ...]:
        merged: dict[tuple[str, bool, tuple[str, ...], bool, str], tuple[set[str], set[str]]] = {}
        for s in statements:
            group = (s.effect, s.not_resource, s.resources, s.not_action, s.condition)
            actions, policies = merged.setdefault(group, (set(), set()))
            actions.update(s.actions)
            policies.add(s.policy)
        grants = [
            Grant(
                effect=effect,
                not_resource=not_resource,
                resources=resources,
                not_action=not_action,
                condition=condition,
                actions=tuple(sorted(actions)),
                policies=tuple(sorted(policies)),
            )
            for (effect, not_resource, resources, not_action, condition), (
                actions,
                policies,
            ) in merged.items()
        ]
        return tuple(
            sorted(grants, key=lambda g: (g.effect != "Allow", g.resources, g.condition, g.actions))
        )

    def role(self, stack: StackTemplate, logical_id: str) -> RolePermissions:
        key = (stack.key, logical_id)
        resource = stack.resources[logical_id]
        properties = properties_of(resource)
        statements: list[_Statement] = []
        for policy in as_list(properties.get("Policies")):
            if isinstance(policy, dict) and intrinsic(policy) is None:
                name = self.resolver.render(stack, policy.get("PolicyName", "inline"))
                statements.extend(
                    self.statements(stack, policy.get("PolicyDocument"), f"inline {name}")
                )
        managed = []
        _, arns = self.resolver.deref(stack, properties.get("ManagedPolicyArns"))
        for arn in as_list(arns):
            target = self.resolver.key(stack, arn)
            policy_resource = self.assembly.resource(target) if target else None
            if target is not None and policy_resource and policy_resource["Type"] == MANAGED_POLICY:
                continue  # its statements arrive through ``_attached`` below
            text = self.resolver.render(stack, arn)
            managed.append(text.split(":policy/", 1)[1] if ":policy/" in text else text)
        # Managed policies of this assembly attached through the role's ManagedPolicyArns.
        for arn in as_list(arns):
            target = self.resolver.key(stack, arn)
            policy_resource = self.assembly.resource(target) if target else None
            if target is not None and policy_resource and policy_resource["Type"] == MANAGED_POLICY:
                owner = self.assembly.stack(target[0])
                statements.extend(
                    self.statements(
                        owner,
                        properties_of(policy_resource).get("PolicyDocument"),
                        self.resolver.name_of(target),
                    )
                )
        by_role, _ = self._attached
        statements.extend(by_role.get(key, []))
        boundary = properties.get("PermissionsBoundary")
        return RolePermissions(
            key=key,
            trust=self._trust(stack, properties.get("AssumeRolePolicyDocument")),
            used_by=self._used_by(key),
            grants=self._grants(statements),
            managed_policies=tuple(sorted(set(managed))),
            boundary=self.resolver.render(stack, boundary) if boundary is not None else None,
        )

    def roles(self, stack: StackTemplate) -> list[RolePermissions]:
        return [self.role(stack, logical_id) for logical_id, _ in stack.of_type(ROLE)]

    def external_roles(self, stack: StackTemplate) -> dict[str, tuple[Grant, ...]]:
        """Policies of ``stack`` attached to roles that are not in the assembly."""
        _, external = self._attached
        found = {}
        for role, statements in sorted(external.items()):
            own = [s for s in statements if s.policy.startswith(f"{stack.key}/")]
            if own:
                found[role] = self._grants(own)
        return found
