"""The Markdown report: diagram, summary, changes, then per stack resources, exposure,
security-group ingress and IAM permissions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from constructs_ecs.review._assembly import Assembly, ResourceKey, StackTemplate
from constructs_ecs.review._changes import changes_section, summary_line
from constructs_ecs.review._diff import AssemblyDiff, diff_assemblies
from constructs_ecs.review._ecs import Ecs
from constructs_ecs.review._iam import (
    Grant,
    Iam,
    ResourcePolicy,
    RolePermissions,
    wildcard_action,
    wildcard_resource,
)
from constructs_ecs.review._intrinsics import Resolver
from constructs_ecs.review._markdown import WARNING, code, flagged, joined, plain, table
from constructs_ecs.review._network import IngressRule, LoadBalancer, Network
from constructs_ecs.review._rules import ReplacementRules
from constructs_ecs.review._traffic import TrafficDiagram

TITLE = "# Infrastructure review"


@dataclass
class _Facts:
    """Everything derived from one assembly, computed once."""

    assembly: Assembly

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.assembly)

    @cached_property
    def network(self) -> Network:
        return Network(self.assembly, self.resolver)

    @cached_property
    def ecs(self) -> Ecs:
        return Ecs(self.assembly, self.resolver)

    @cached_property
    def iam(self) -> Iam:
        return Iam(self.assembly, self.resolver)

    @cached_property
    def roles(self) -> dict[str, list[RolePermissions]]:
        return {stack.key: self.iam.roles(stack) for stack in self.assembly.stacks}

    @cached_property
    def resource_policies(self) -> dict[str, list[ResourcePolicy]]:
        return {stack.key: self.iam.resource_policies(stack) for stack in self.assembly.stacks}


def _name(key: ResourceKey, stack: StackTemplate) -> str:
    return key[1] if key[0] == stack.key else f"{key[0]}/{key[1]}"


class _Report:
    def __init__(
        self, assembly: Assembly, base: Assembly | None, rules: ReplacementRules | None
    ) -> None:
        self.facts = _Facts(assembly)
        self.assembly = assembly
        self.diff: AssemblyDiff | None = (
            diff_assemblies(base, assembly, rules=rules) if base else None
        )

    # ---- diagram and summary -------------------------------------------------------------
    def diagram(self) -> list[str]:
        facts = self.facts
        chart = TrafficDiagram(
            self.assembly,
            facts.resolver,
            facts.network,
            facts.ecs,
            status=self.diff.status if self.diff else None,
        ).render()
        legend = (
            "Solid arrows carry requests from the internet and load balancers to containers; "
            "dotted arrows are service-to-service links (Service Connect, Cloud Map, security "
            "groups) and scheduled tasks; arrows labelled cross-stack (thick when solid) join "
            "two stacks through a cross-stack reference."
        )
        if self.diff is not None:
            legend += (
                " Green: added; amber: changed; red: replaced or may be replaced (compared with "
                "the base)."
            )
        return ["```mermaid", chart, "```", "", f"*{legend}*"]

    def summary(self) -> list[str]:
        facts = self.facts
        stacks = self.assembly.stacks
        resources = sum(len(stack.resources) for stack in stacks)
        balancers = list(facts.network.load_balancers.values())
        public = sum(1 for b in balancers if b.internet_facing)
        exposed = facts.network.internet_ingress_elsewhere()
        roles = [role for stack in stacks for role in facts.roles[stack.key]]
        wildcards = sum(1 for role in roles for grant in role.grants if grant.wildcard)
        lines = [
            "## Summary",
            "",
            f"- {len(stacks)} stack(s), {resources} resources: "
            + joined(code(stack.key) for stack in stacks),
            f"- {len(balancers)} load balancer(s), {public} internet-facing; "
            f"{len(facts.ecs.services)} ECS service(s); "
            f"{len(facts.ecs.scheduled_tasks)} scheduled task(s)",
        ]
        if exposed:
            lines.append(
                f"- {WARNING} **{len(exposed)} ingress rule(s) open to the internet** on ports "
                "that are not load-balancer listener ports"
            )
        else:
            lines.append("- No ingress open to the internet beyond load-balancer listener ports")
        if wildcards:
            lines.append(
                f"- {len(roles)} IAM role(s); {WARNING} **{wildcards} permission group(s) with "
                "wildcards**"
            )
        else:
            lines.append(f"- {len(roles)} IAM role(s); no wildcard permissions")
        policies = [p for stack in stacks for p in facts.resource_policies[stack.key]]
        anyone = sum(1 for p in policies for s in p.statements if s.open_to_anyone)
        if anyone:
            lines.append(
                f"- {len(policies)} resource polic(ies); {WARNING} **{anyone} statement(s) "
                "allow anyone, with no condition**"
            )
        else:
            lines.append(
                f"- {len(policies)} resource polic(ies); none allows anyone without a condition"
            )
        if self.diff is not None:
            lines.append(summary_line(self.diff))
        return lines

    # ---- changes -------------------------------------------------------------------------
    def changes(self) -> list[str]:
        return changes_section(self.diff) if self.diff is not None else []

    # ---- per stack -----------------------------------------------------------------------
    def stack(self, stack: StackTemplate) -> list[str]:
        lines = [f"## Stack {code(stack.key)}", ""]
        if stack.name != stack.key:
            lines += [f"CloudFormation stack {code(stack.name)} in {code(stack.environment)}.", ""]
        lines += self.resources(stack)
        lines += self.exposure(stack)
        lines += self.ingress(stack)
        lines += self.permissions(stack)
        lines += self.resource_policy_section(stack)
        return lines

    def resource_policy_section(self, stack: StackTemplate) -> list[str]:
        policies = self.facts.resource_policies[stack.key]
        lines = ["### Resource policies", ""]
        if not policies:
            return [*lines, "No bucket, topic, queue, repository or key policy in this stack.", ""]
        headers = ["Effect", "Principals", "Actions", "Resources", "Condition"]
        for policy in policies:
            flag = f" {WARNING}" if any(s.open_to_anyone for s in policy.statements) else ""
            if policy.governs:
                governs = joined(code(g) for g in policy.governs)
                heading = f"#### {code(policy.key[1])} on {governs}{flag}"
            else:
                heading = f"#### Policy of {code(policy.key[1])}{flag}"
            lines += [heading, ""]
            rows = []
            for statement in policy.statements:
                principals = "\n".join(
                    flagged(p) if statement.open_to_anyone and p in ("*", "AWS: *") else code(p)
                    for p in statement.principals
                )
                if statement.not_principal:
                    principals = f"{WARNING} **NotPrincipal**\n{principals}"
                actions = "\n".join(code(a) for a in statement.actions) or "—"
                if statement.not_action:
                    actions = f"NotAction\n{actions}"
                rows.append(
                    [
                        statement.effect
                        if statement.effect == "Allow"
                        else f"**{statement.effect}**",
                        principals or "—",
                        actions,
                        "\n".join(code(r) for r in statement.resources) or "—",
                        code(statement.condition) if statement.condition else "—",
                    ]
                )
            lines += [table(headers, rows) if rows else "No statement.", ""]
        return lines

    def resources(self, stack: StackTemplate) -> list[str]:
        counts = Counter(str(resource["Type"]) for resource in stack.resources.values())
        rows = [[code(kind), str(count)] for kind, count in sorted(counts.items())]
        rows.append(["**Total**", f"**{sum(counts.values())}**"])
        return ["### Resources by type", "", table(["Type", "Count"], rows), ""]

    def _source(self, rule: IngressRule) -> str:
        if rule.world:
            if self.facts.network.on_listener_port(rule):
                return f"{code(rule.source_text)} (internet, to a listener port)"
            return f"{flagged(rule.source_text)} open to the internet"
        return code(rule.source_text)

    def _ingress_rows(
        self, stack: StackTemplate, rules: list[IngressRule], *, with_destination: bool
    ) -> list[list[str]]:
        rows = []
        users = self.facts.network.security_group_users
        for rule in rules:
            row = []
            if with_destination:
                attached = (
                    [_name(user, stack) for user, _ in users.get(rule.destination, [])]
                    if rule.destination
                    else []
                )
                row += [code(rule.destination_text), joined(code(a) for a in attached)]
            row += [
                self._source(rule),
                code(rule.protocol),
                code(rule.ports),
                plain(rule.description) or "—",
                code(rule.defined_by),
            ]
            rows.append(row)
        return rows

    def _load_balancer(self, stack: StackTemplate, balancer: LoadBalancer) -> list[str]:
        network = self.facts.network
        scheme = (
            f"**{balancer.scheme}**"
            if balancer.internet_facing
            else f"{balancer.scheme} (reachable from the VPC and connected networks only)"
        )
        lines = [f"**{code(balancer.key[1])}**: {balancer.kind} load balancer, {scheme}.", ""]
        rows = []
        for listener in network.listeners_of(balancer.key):
            rules = []
            for rule in network.rules_of(listener.key):
                actions = "; ".join(action.text for action in rule.actions) or "no action"
                conditions = " and ".join(rule.conditions) or "always"
                where = (
                    f" (rule {code(rule.key[0] + '/' + rule.key[1])})"
                    if rule.key[0] != stack.key
                    else ""
                )
                rules.append(f"{code(rule.priority)}: {code(conditions)} → {code(actions)}{where}")
            if listener.certificates:
                certificate = "<br>".join(code(c) for c in listener.certificates)
            elif listener.protocol.upper() in ("HTTP", "TCP", "UDP", "TCP_UDP"):
                certificate = "none (plain text)"
            else:
                certificate = "none"
            rows.append(
                [
                    code(_name(listener.key, stack)),
                    code(listener.port),
                    code(listener.protocol),
                    certificate,
                    joined(code(action.text) for action in listener.default_actions),
                    "\n".join(rules) or "—",
                ]
            )
        if rows:
            headers = ["Listener", "Port", "Protocol", "Certificate", "Default action", "Rules"]
            lines += [table(headers, rows), ""]
        else:
            lines += ["No listener in this assembly.", ""]
        if balancer.security_groups:
            allowed = network.rules_into(balancer.security_groups)
            if allowed:
                lines += [
                    "Security-group ingress that lets traffic in:",
                    "",
                    table(
                        ["Source", "Protocol", "Ports", "Description", "Defined by"],
                        self._ingress_rows(stack, allowed, with_destination=False),
                    ),
                    "",
                ]
            else:
                lines += ["No ingress rule into its security groups in this assembly.", ""]
        elif balancer.unresolved_security_groups:
            groups = ", ".join(code(g) for g in balancer.unresolved_security_groups)
            lines += [f"Security groups defined outside this assembly: {groups}.", ""]
        else:
            lines += [
                "No security group: its listener ports accept any client that can reach its "
                "subnets; the targets' security groups decide.",
                "",
            ]
        return lines

    def exposure(self, stack: StackTemplate) -> list[str]:
        network = self.facts.network
        lines = ["### Reachable from outside", ""]
        balancers = [b for b in network.load_balancers.values() if b.key[0] == stack.key]
        for balancer in sorted(balancers, key=lambda b: b.key):
            lines += self._load_balancer(stack, balancer)
        public_tasks = [
            s for s in self.facts.ecs.services.values() if s.key[0] == stack.key and s.public_ip
        ]
        for service in sorted(public_tasks, key=lambda s: s.key):
            lines += [
                f"- {WARNING} ECS service {code(service.key[1])}: tasks get public IP addresses "
                "(`AssignPublicIp: ENABLED`).",
            ]
        if public_tasks:
            lines.append("")
        exposed = [r for r in network.internet_ingress_elsewhere() if r.stack == stack.key]
        if exposed:
            lines += [
                f"{WARNING} **Open to the internet besides load-balancer listeners:**",
                "",
            ]
            for rule in exposed:
                lines.append(
                    f"- {flagged(rule.source_text)} → {code(rule.destination_text)} "
                    f"{code(rule.protocol)} {code(rule.ports)}"
                    + (f": {plain(rule.description)}" if rule.description else "")
                )
            lines.append("")
        if not balancers and not public_tasks and not exposed:
            lines += [
                "Nothing: no load balancer, no ingress open to the internet, no public task IP.",
                "",
            ]
        return lines

    def ingress(self, stack: StackTemplate) -> list[str]:
        rules = [rule for rule in self.facts.network.ingress_rules if rule.stack == stack.key]
        lines = ["### Security-group ingress", ""]
        if not rules:
            return [*lines, "No ingress rule is defined in this stack.", ""]
        headers = [
            "Destination",
            "Attached to",
            "Source",
            "Protocol",
            "Ports",
            "Description",
            "Defined by",
        ]
        rows = self._ingress_rows(stack, rules, with_destination=True)
        return [*lines, table(headers, rows), ""]

    @staticmethod
    def _grant_row(stack: StackTemplate, grant: Grant) -> list[str]:
        allow = grant.effect == "Allow"

        def resource(text: str) -> str:
            return flagged(text) if allow and wildcard_resource(text) else code(text)

        def action(text: str) -> str:
            return flagged(text) if allow and wildcard_action(text) else code(text)

        resources = "\n".join(resource(r) for r in grant.resources) or "—"
        actions = "\n".join(action(a) for a in grant.actions) or "—"
        if grant.not_resource:
            resources = (
                f"{WARNING} **NotResource**" if allow else "NotResource"
            ) + f"\n{resources}"
        if grant.not_action:
            actions = (f"{WARNING} **NotAction**" if allow else "NotAction") + f"\n{actions}"
        policies = [
            p[len(stack.key) + 1 :] if p.startswith(stack.key + "/") else p for p in grant.policies
        ]
        effect = grant.effect if grant.effect == "Allow" else f"**{grant.effect}**"
        return [
            effect,
            resources,
            actions,
            code(grant.condition) if grant.condition else "—",
            joined(code(p) for p in policies),
        ]

    def permissions(self, stack: StackTemplate) -> list[str]:
        roles = self.facts.roles[stack.key]
        lines = ["### IAM permissions", ""]
        if not roles:
            lines += ["No IAM role is defined in this stack.", ""]
        headers = ["Effect", "Resources", "Actions", "Condition", "Policy"]
        for role in roles:
            flag = f" {WARNING}" if any(g.wildcard for g in role.grants) else ""
            lines += [f"#### Role {code(role.key[1])}{flag}", ""]
            lines.append(
                "- Trusted by: " + joined(flagged(t) if _anyone(t) else code(t) for t in role.trust)
            )
            lines.append("- Used by: " + joined(code(u) for u in role.used_by))
            if role.managed_policies:
                managed = []
                for policy in role.managed_policies:
                    name = policy.rsplit("/", 1)[-1]
                    managed.append(flagged(policy) if name in _BROAD else code(policy))
                lines.append(
                    "- Managed policies (contents not in the template): " + ", ".join(managed)
                )
            if role.boundary:
                lines.append(f"- Permissions boundary: {code(role.boundary)}")
            lines.append("")
            if role.grants:
                rows = [self._grant_row(stack, grant) for grant in role.grants]
                lines += [table(headers, rows), ""]
            else:
                lines += ["No statement in this assembly.", ""]
        external = self.facts.iam.external_roles(stack)
        for role_text, grants in external.items():
            lines += [f"#### Role outside this assembly: {code(role_text)}", ""]
            lines += [table(headers, [self._grant_row(stack, g) for g in grants]), ""]
        return lines

    def render(self, max_chars: int | None = None) -> str:
        diagram = [*self.diagram(), ""]
        head = [*self.summary(), "", *self.changes()]
        stacks = [(stack.name, self.stack(stack)) for stack in self.assembly.stacks]
        text = _join([TITLE, "", *diagram, *head, *(line for _, part in stacks for line in part)])
        if max_chars is None or len(text) <= max_chars:
            return text
        # Over the limit (a GitHub comment holds 65,536 characters): the diagram goes first
        # (Mermaid renders at most 50,000 characters anyway), then whole stack sections from
        # the last; the summary and the changes, data-loss warnings first, always stay.
        omitted_diagram = [
            f"*The traffic diagram ({sum(len(line) + 1 for line in diagram)} characters) is "
            f"left out to fit {max_chars} characters; {_FULL_REPORT}.*",
            "",
        ]
        kept = [TITLE, "", *omitted_diagram, *head]
        left_out: list[str] = []
        for name, part in stacks:
            candidate = [*kept, *part]
            if not left_out and len(_join(candidate)) + _NOTE_ROOM <= max_chars:
                kept = candidate
            else:
                left_out.append(name)
        if left_out:
            names = ", ".join(f"`{name}`" for name in left_out)
            kept += [
                "",
                f"*Left out to fit {max_chars} characters: stack {names}; {_FULL_REPORT}.*",
            ]
        text = _join(kept)
        if len(text) > max_chars:  # the summary and changes alone are over the limit
            cut = text.rfind("\n", 0, max_chars - _NOTE_ROOM)
            text = _join([text[:cut], "", f"*Cut at {max_chars} characters; {_FULL_REPORT}.*"])
        return text


_FULL_REPORT = "run `python -m constructs_ecs.review` with `--max-chars 0` for the whole report"
_NOTE_ROOM = 400
"""Characters kept free for the closing note of a shortened report."""


def _join(lines: list[str]) -> str:
    while lines and lines[-1] == "":
        lines = lines[:-1]
    return "\n".join(lines) + "\n"


_BROAD = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})


def _anyone(principal: str) -> bool:
    """A trust principal that lets any AWS account assume the role."""
    return principal.split(" when ")[0].split(" (")[0] in ("*", "AWS: *")


def build_report(
    assembly: Assembly,
    base: Assembly | None = None,
    *,
    max_chars: int | None = None,
    rules: ReplacementRules | None = None,
) -> str:
    """The Markdown report for ``assembly``; with ``base``, also what changes from ``base``.

    ``max_chars``: the longest report wanted (GitHub takes 65,536 characters in a comment):
    over it, the diagram is left out, then whole stack sections from the last, each with a
    note; the summary and the changes stay. Default: no limit. ``rules``: which property
    changes replace a resource. Default: the registry schemas of the installed cfn-lint, else
    the built-in table.
    """
    return _Report(assembly, base, rules).render(max_chars)
