"""Test kit: synthesize with the project's ``cdk.json`` context, snapshot, lint and nag.

Importable by users for their own apps. With a ``cdk.Stack`` subclass, as ``cdk init`` writes
it, make the app with ``new_app()`` and build your stack in it::

    import aws_cdk as cdk

    from constructs_ecs import EcsCluster, Network
    from constructs_ecs.testing import (
        TemplateSnapshotExtension,
        assert_cfn_lint_clean,
        assert_nag_clean,
        assertions_template,
        new_app,
        resource_manifest,
        template_of,
    )


    class MyStack(cdk.Stack):
        def __init__(self, scope, construct_id, **kwargs):
            super().__init__(scope, construct_id, **kwargs)
            network = Network(self, "Network")
            EcsCluster(self, "Cluster", vpc=network.vpc)


    def test_my_stack(snapshot):
        app = new_app()  # cdk.json's context; cdk-nag's AwsSolutions pack registered
        stack = MyStack(app, "MyStack")
        template = template_of(stack)  # fails, listing every unacknowledged finding
        assert_nag_clean(stack)
        assert_cfn_lint_clean(template)
        assertions_template(stack).resource_count_is("AWS::ECS::Cluster", 1)
        snap = snapshot.use_extension(TemplateSnapshotExtension)
        assert resource_manifest(template) == snap(name="manifest")
        assert template == snap(name="template")

``new_stack()`` gives an app and one plain stack for constructs to live in
(``app, stack = new_stack(); Network(stack, "Network")``): it is not the place for a stack of
your own, which would leave that plain stack empty (``F0001 ...: Resources section must exist``).

Synthesis here is the same as ``cdk synth``'s: the feature flags come from ``cdk.json``, so the
template under test is the template that is deployed. cdk-nag 2 (packs are aspects) and cdk-nag 3
(packs are validation plugins) both work.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import assertions, cx_api
from syrupy.extensions.json import JSONSnapshotExtension

from constructs_ecs._findings import (
    ANNOTATIONS_SOURCE,
    annotation_findings,
    failed_synthesis,
    findings_of_aspect_pack,
    findings_of_plugin,
    report_written_at,
    validation_findings,
)
from constructs_ecs._findings import source as findings_source
from constructs_ecs._nag import check_nag_registration, is_aspect_pack

__all__ = [
    "MissingContextError",
    "NagFindingsError",
    "TemplateSnapshotExtension",
    "assert_cfn_lint_clean",
    "assert_nag_clean",
    "assertions_template",
    "availability_zones_context",
    "cfn_lint_findings",
    "load_cdk_context",
    "nag_acknowledgements",
    "new_app",
    "new_stack",
    "normalize_template",
    "resource_manifest",
    "synth",
    "template_of",
]

ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
ASSET_PLACEHOLDER = "<asset-hash>"


def _find_cdk_json(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "cdk.json"
        if candidate.is_file():
            return candidate
    return None


@cache
def _context_from(path: Path, key: str | None) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    context = data.get(key, {}) if key else data
    if not isinstance(context, dict):
        raise ValueError(f"{path}: {f'{key!r}' if key else 'the file'} must be an object")
    return context


def load_cdk_context(cdk_json: str | Path | None = None) -> dict[str, Any]:
    """The context ``cdk synth`` uses: ``cdk.context.json`` (the lookups the CDK CLI recorded,
    such as Availability Zones), overridden by the ``context`` of ``cdk.json`` (the feature
    flags), as the CLI merges them.

    Default: the first ``cdk.json`` found in the working directory or above it, and the
    ``cdk.context.json`` beside it; an empty context when there is none.

    :param cdk_json: The app's ``cdk.json``. Default: the first one found in the working
        directory or above it.
    """
    path = Path(cdk_json) if cdk_json else _find_cdk_json(Path.cwd().resolve())
    if path is None:
        return {}
    path = path.resolve()
    return {
        **_context_from(path.with_name("cdk.context.json"), None),
        **_context_from(path, "context"),
    }


def availability_zones_context(env: cdk.Environment, zones: Sequence[str]) -> dict[str, Any]:
    """The context entry a committed ``cdk.context.json`` holds for ``env``'s zones.

    ``new_app(availability_zones_context(env, ["eu-west-1a", "eu-west-1b"]))`` synthesizes a
    stack in ``env`` with those zones, as ``cdk synth`` does once the CLI has looked them up.

    :param env: A concrete account and region.
    :param zones: Zone names of that region, e.g. ``["eu-west-1a", "eu-west-1b"]``.
    """
    if not env.account or not env.region:
        raise ValueError("availability_zones_context: env needs a concrete account and region")
    key = f"availability-zones:account={env.account}:region={env.region}"
    return {key: list(zones)}


def new_app(
    context: Mapping[str, Any] | None = None,
    *,
    cdk_json: str | Path | None = None,
    nag: bool = True,
) -> cdk.App:
    """An ``App`` with the project's context, plus ``context`` on top of it.

    ``nag=True`` (the default) registers cdk-nag's AwsSolutions pack the way the installed
    cdk-nag takes it: a validation plugin with cdk-nag 3, an aspect with cdk-nag 2. Either way
    ``template_of`` then fails on any unacknowledged finding and reports each one. Path
    metadata and version reporting are kept off so templates stay small and stable.

    :param context: Context values on top of the project's. Default: none.
    :param cdk_json: The app's ``cdk.json``. Default: the first one found in the working
        directory or above it.
    :param nag: Register cdk-nag's AwsSolutions pack. Default: ``True``.
    """
    merged = load_cdk_context(cdk_json)
    merged.update(context or {})
    merged.setdefault("aws:cdk:enable-path-metadata", False)
    merged.setdefault("aws:cdk:version-reporting", False)
    app = cdk.App(context=merged, analytics_reporting=False)
    if nag:
        from cdk_nag import AwsSolutionsChecks

        if is_aspect_pack(AwsSolutionsChecks):  # cdk-nag 2
            pack_2: Any = AwsSolutionsChecks  # typed as cdk-nag 3's
            cdk.Aspects.of(app).add(pack_2(reports=False))
        else:
            cdk.Validations.of(app).add_plugins(
                AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
            )
    return app


def new_stack(
    stack_id: str = "TestStack",
    *,
    app: cdk.App | None = None,
    env: cdk.Environment | None = None,
    availability_zones: Sequence[str] | None = None,
    context: Mapping[str, Any] | None = None,
    nag: bool = True,
) -> tuple[cdk.App, cdk.Stack]:
    """A fresh app (see ``new_app``) and one plain ``cdk.Stack`` in it, in ``env``, for
    constructs to live in. For a ``cdk.Stack`` subclass of your own (the ``cdk init`` shape),
    use ``new_app()`` and build your stack in it instead: this stack would stay empty.

    Default ``env``: environment-agnostic. A stack with a concrete account and region looks
    its Availability Zones up: give them as ``availability_zones`` (or commit the
    ``cdk.context.json`` the CDK CLI writes), otherwise ``synth`` reports the missing lookup.

    :param stack_id: The stack's construct id. Default: ``"TestStack"``.
    :param app: An app to put the stack in. Default: a new one from ``new_app``.
    :param env: The stack's account and region. Default: environment-agnostic.
    :param availability_zones: The zones a stack in ``env`` sees, without a lookup (needs ``env``;
        not with ``app``). Default: those of ``cdk.context.json``.
    :param context: Context values for the new app. Default: none.
    :param nag: Register cdk-nag on the new app. Default: ``True``.
    """
    if app is None:
        merged = dict(context or {})
        if availability_zones is not None:
            if env is None:
                raise ValueError("new_stack: availability_zones needs an env")
            merged.update(availability_zones_context(env, availability_zones))
        app = new_app(merged, nag=nag)
    elif availability_zones is not None:
        raise ValueError("new_stack: give availability_zones to new_app when passing app")
    return app, cdk.Stack(app, stack_id, env=env)


class MissingContextError(AssertionError):
    """Synthesis needed context lookups that were not provided; ``keys`` lists them."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(
            "synthesis looked up context it was not given (the template then holds dummy "
            "values, such as 'dummy1a' zones): "
            + ", ".join(keys)
            + ". Commit the cdk.context.json that `cdk synth` writes with credentials, or "
            "give the zones: PlatformStack(availability_zones=[...]) (or, in a cdk.Stack "
            "subclass, override its availability_zones property), new_stack(env=..., "
            "availability_zones=[...]) or new_app(availability_zones_context(env, [...]))."
        )


class NagFindingsError(AssertionError):
    """Validation found what was not acknowledged: ``findings`` lists each one
    (``<rule id> <construct path>: <description>``), ``by_source`` groups them by where they
    come from (a cdk-nag pack, aws-cdk-lib's annotations, its template validation)."""

    def __init__(self, findings: list[str], by_source: dict[str, list[str]] | None = None) -> None:
        self.findings = findings
        self.by_source = by_source or {"validation": findings}
        lines = ["unacknowledged validation findings:"]
        for source, found in self.by_source.items():
            lines.append(f"{source}:")
            lines.extend(f"  {finding}" for finding in found)
        empty = sorted(_EMPTY_STACK.findall("\n".join(findings)))
        if empty:
            lines.append(_EMPTY_STACK_HINT.format(stacks=", ".join(empty)))
        super().__init__("\n".join(lines))


#: aws-cdk-lib's template validation (cfn-lint's F0001) on a stack that defines nothing.
_EMPTY_STACK = re.compile(r"^F0001 (\S+): Resources section must exist", re.M)
_EMPTY_STACK_HINT = (
    "{stacks}: a stack that defines no resources (CloudFormation refuses to deploy one). Is it "
    "the stack of new_stack() while your resources are in a stack of your own (a cdk.Stack "
    "subclass, as `cdk init` writes)? Then build that stack in an app from new_app() and "
    'test it: app = new_app(); stack = MyStack(app, "MyStack"); template_of(stack).'
)


def _raise_findings(by_source: dict[str, list[str]]) -> None:
    if by_source:
        raise _findings_error(by_source)


def _findings_error(by_source: dict[str, list[str]]) -> NagFindingsError:
    return NagFindingsError(sorted(f for found in by_source.values() for f in found), by_source)


def synth(app: cdk.Stage, *, allow_warnings: bool = False) -> cx_api.CloudAssembly:
    """Synthesize ``app`` once; raise ``NagFindingsError`` listing what validation found, or
    ``MissingContextError`` when a lookup (Availability Zones of a stack in a concrete
    environment) found no context to answer it.

    Errors stop synthesis; warning-level findings (cdk-nag warnings, CDK annotations,
    CloudFormation template checks) do not, but they fail here too unless
    ``allow_warnings=True`` (for a test that asserts a warning on purpose).

    :param app: The app (or stage) to synthesize.
    :param allow_warnings: Let warning-level findings pass. Default: ``False``.
    """
    check_nag_registration(app)  # a cdk-nag 3 pack added as an aspect: say what to write
    report_before = report_written_at(app.outdir)
    try:
        assembly = app.synth()
    except Exception as error:  # failed validation or not: told by what synthesis left
        failed = failed_synthesis(app, report_before, error)
        if not failed:
            raise
        raise _findings_error(failed)  # noqa: B904 (the synthesis error stays its context)
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text("utf-8"))
    missing = [m["key"] for m in manifest.get("missing", [])]
    if missing:
        raise MissingContextError(sorted(missing))
    reported = validation_findings(app.outdir)
    if ANNOTATIONS_SOURCE not in reported:
        # Annotations this aws-cdk-lib left out of the validation report (cdk-nag 2 findings
        # among them): errors fail as the report's do, warnings unless allowed.
        _raise_findings(annotation_findings(assembly, errors_only=True))
        if not allow_warnings:
            for source, found in annotation_findings(assembly, errors_only=False).items():
                reported.setdefault(source, []).extend(found)
    if not allow_warnings:
        _raise_findings(reported)
    return assembly


def template_of(stack: cdk.Stack, *, allow_warnings: bool = False) -> dict[str, Any]:
    """The synthesized CloudFormation template of ``stack`` as a dict.

    Synthesizes the whole app once (later calls reuse the assembly) and raises
    ``NagFindingsError`` listing every unacknowledged finding, warnings included unless
    ``allow_warnings=True``, when the app was made with ``nag=True``.

    :param stack: A stack of an app from ``new_app`` (or any app).
    :param allow_warnings: Let warning-level findings pass. Default: ``False``.
    """
    stage = cdk.Stage.of(stack)
    assert stage is not None
    assembly = synth(stage, allow_warnings=allow_warnings)
    template: dict[str, Any] = assembly.get_stack_artifact(stack.artifact_id).template
    return template


def assertions_template(stack: cdk.Stack) -> assertions.Template:
    """``aws_cdk.assertions.Template`` of ``stack``, from the same single synthesis."""
    return assertions.Template.from_json(template_of(stack))


def _replace_hashes(value: Any) -> Any:
    if isinstance(value, str):
        return ASSET_HASH.sub(ASSET_PLACEHOLDER, value)
    if isinstance(value, list):
        return [_replace_hashes(v) for v in value]
    if isinstance(value, dict):
        return {ASSET_HASH.sub(ASSET_PLACEHOLDER, k): _replace_hashes(v) for k, v in value.items()}
    return value


def normalize_template(template: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``template`` without what churns on every CDK upgrade.

    Asset hashes become ``<asset-hash>``; the ``BootstrapVersion`` parameter, the
    ``CheckBootstrapVersion`` rule, ``AWS::CDK::Metadata`` and ``aws:cdk:path``/``aws:asset:*``
    metadata are dropped. cdk-nag acknowledgements (``cdk_nag`` metadata) are kept: they are
    part of what a reviewer reviews.
    """
    out: dict[str, Any] = json.loads(json.dumps(template))
    params = out.get("Parameters", {})
    params.pop("BootstrapVersion", None)
    if not params:
        out.pop("Parameters", None)
    rules = out.get("Rules", {})
    rules.pop("CheckBootstrapVersion", None)
    if not rules:
        out.pop("Rules", None)
    conditions = out.get("Conditions", {})
    conditions.pop("CDKMetadataAvailable", None)
    if not conditions:
        out.pop("Conditions", None)
    resources = out.get("Resources", {})
    for logical_id in [k for k, v in resources.items() if v.get("Type") == "AWS::CDK::Metadata"]:
        del resources[logical_id]
    for resource in resources.values():
        metadata = resource.get("Metadata")
        if not metadata:
            continue
        for key in [k for k in metadata if k == "aws:cdk:path" or k.startswith("aws:asset:")]:
            del metadata[key]
        if not metadata:
            del resource["Metadata"]
    normalized: dict[str, Any] = _replace_hashes(out)
    return normalized


def resource_manifest(template: Mapping[str, Any]) -> dict[str, str]:
    """``{logicalId: type}`` for every resource: a rename stands out in a pull request."""
    return {
        logical_id: resource["Type"]
        for logical_id, resource in sorted(template.get("Resources", {}).items())
        if resource["Type"] != "AWS::CDK::Metadata"
    }


class TemplateSnapshotExtension(JSONSnapshotExtension):
    """syrupy extension: one pretty, key-sorted JSON file per snapshot, normalised."""

    def serialize(self, data: Any, **_: Any) -> str:
        if isinstance(data, Mapping) and "Resources" in data:
            data = normalize_template(data)
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def cfn_lint_findings(
    template: Mapping[str, Any],
    *,
    regions: Iterable[str] = ("us-east-1",),
    ignore_checks: Iterable[str] = (),
) -> list[str]:
    """cfn-lint's errors, warnings and informational findings for ``template``, one per line.

    A finding that aws-cdk-lib acknowledged on that resource for its own built-in template
    validation (``CloudFormation-Validate::<rule>`` in the resource's ``cdk_nag`` metadata, such
    as W3010 on the literal zones of a stack in a concrete environment) is left out.

    :param template: A synthesized template (``template_of``).
    :param regions: The regions cfn-lint checks the template for. Default: us-east-1.
    :param ignore_checks: cfn-lint rule ids to leave out (``"W3005"``). Default: none.
    """
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    config = ConfigMixIn(regions=list(regions), ignore_checks=list(ignore_checks))
    decoded, errors = decode_str(json.dumps(template))
    matches = errors or run_template_by_data(decoded, config, _cfn_lint_rules())
    resources = template.get("Resources", {})
    found = []
    for match in matches:
        path = [str(p) for p in match.path]
        if len(path) > 1 and path[0] == "Resources":
            metadata = resources.get(path[1], {}).get("Metadata", {})
            rules = metadata.get("cdk_nag", {}).get("rules_to_suppress", [])
            if any(r.get("id") == f"CloudFormation-Validate::{match.rule.id}" for r in rules):
                continue
        found.append(f"{match.rule.id} {'/'.join(path)}: {match.message}")
    return found


@cache
def _cfn_lint_rules() -> Any:
    """cfn-lint's rules, loaded once per process (about 0.5 s each time), as its own CLI
    loads them once for many templates; what a run checks is decided by its config."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn()).rules


def assert_cfn_lint_clean(
    template: Mapping[str, Any],
    *,
    regions: Iterable[str] = ("us-east-1",),
    ignore_checks: Iterable[str] = (),
) -> None:
    """Fail with every finding unless cfn-lint finds nothing at all.

    :param template: A synthesized template (``template_of``).
    :param regions: The regions cfn-lint checks the template for. Default: us-east-1.
    :param ignore_checks: cfn-lint rule ids to leave out. Default: none.
    """
    findings = cfn_lint_findings(template, regions=regions, ignore_checks=ignore_checks)
    assert not findings, "cfn-lint findings:\n" + "\n".join(findings)


def assert_nag_clean(stack: cdk.Stack, *, packs: Iterable[Any] | None = None) -> None:
    """Fail, listing each finding, unless cdk-nag reports nothing unacknowledged in the app of
    ``stack``.

    The app is synthesized (once), then cdk-nag's packs run on it here, whether or not the
    app registered them: an app made without cdk-nag cannot pass by not asking. Default
    ``packs``: ``AwsSolutionsChecks()``; pass others (``HIPAASecurityChecks()``, ...) to hold
    the app to them too. Packs of cdk-nag 2 and of cdk-nag 3 both work.

    :param stack: A stack of the app to check (every stack of that app is checked).
    :param packs: cdk-nag packs to run. Default: ``AwsSolutionsChecks()``.
    """
    from cdk_nag import AwsSolutionsChecks

    stage = cdk.Stage.of(stack)
    assert stage is not None
    try:
        synth(stage, allow_warnings=True)
    except NagFindingsError as error:
        if any(source.startswith("cdk-nag") for source in error.by_source):
            raise
    by_source: dict[str, list[str]] = {}
    if packs is None:
        default: Any = AwsSolutionsChecks  # typed as cdk-nag 3's
        # cdk-nag 2 would also write CSV reports into the app's output folder.
        packs = [default(reports=False) if is_aspect_pack(default) else default()]
    for pack in packs:
        source = findings_source(pack.read_pack_name)
        findings = findings_of_aspect_pack if is_aspect_pack(pack) else findings_of_plugin
        by_source.setdefault(source, []).extend(findings(pack, stage))
    _raise_findings({source: found for source, found in by_source.items() if found})


def nag_acknowledgements(template: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{rule id: [logical ids]}`` of the cdk-nag AwsSolutions acknowledgements in a template
    (aws-cdk-lib's own ``CloudFormation-Validate::*`` acknowledgements are left out). A finding
    reads ``AwsSolutions-IAM5[Resource::*]`` in cdk-nag 3's form and in cdk-nag 2's (where the
    metadata holds it in ``applies_to``)."""
    counts: dict[str, list[str]] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        for rule in rules:
            if not rule["id"].startswith("AwsSolutions-"):
                continue
            findings = [f"{rule['id']}[{finding}]" for finding in rule.get("applies_to", [])]
            for rule_id in findings or [rule["id"]]:
                counts.setdefault(rule_id, []).append(logical_id)
    return counts
