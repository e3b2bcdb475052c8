"""What synthesis found, read for the test kit (``constructs_ecs.testing``): the validation
report aws-cdk-lib writes into the cloud assembly, the error and warning annotations of its
manifests, the construct validations, and what a cdk-nag pack reports when it runs by itself.

Nothing here decides on an error's message: a synthesis that failed is told apart from one
that broke by what it left behind (a validation report written by this synthesis, or a
construct whose ``node.validate()`` reports an error).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import cx_api

from constructs_ecs._nag import record_for_cdk_nag_2

__all__ = [
    "ANNOTATIONS_SOURCE",
    "NAG_2_FINDING",
    "SYNTHESIS_SOURCE",
    "annotation_findings",
    "failed_synthesis",
    "findings_of_aspect_pack",
    "findings_of_plugin",
    "report_written_at",
    "source",
    "validation_findings",
]

VALIDATION_REPORT = "validation-report.json"
"""The file aws-cdk-lib writes the validation plugins' report to, in the cloud assembly's
folder (``cx_api.VALIDATION_REPORT_FILE`` in its TypeScript; not exported to Python)."""

_ANNOTATIONS = "Construct Annotations"
_SOURCES = {
    _ANNOTATIONS: "aws-cdk-lib annotations (warnings of the constructs, not cdk-nag)",
    "CloudFormation Validate": "aws-cdk-lib's template validation (not cdk-nag)",
}
ANNOTATIONS_SOURCE = _SOURCES[_ANNOTATIONS]
SYNTHESIS_SOURCE = "synthesis"
"""The source of a construct validation's error, and of a failed validation whose report
names no construct."""

#: How aws-cdk-lib ends an annotation that can be acknowledged: `` [ack: <id>]``.
_ACK_SUFFIX = re.compile(r" \[ack: (?P<id>[^\]]+)\]$")
#: A cdk-nag 2 finding, as its pack writes it into an annotation: ``AwsSolutions-SQS3: ...``.
NAG_2_FINDING = re.compile(
    r"^(?P<rule>(?P<pack>[A-Za-z0-9.]+)-[A-Za-z0-9]+(?:\[[^\]]*\])?): (?P<text>.*)$", re.S
)


def source(plugin: str) -> str:
    """Where a finding of the validation plugin (or cdk-nag pack) named ``plugin`` comes from,
    as the test kit's messages name it."""
    return _SOURCES.get(plugin, f"cdk-nag {plugin} pack")


# ------------------------------------------------------------------- a failed synthesis


def report_written_at(outdir: str) -> int | None:
    """When the validation report in ``outdir`` was last written (``None``: there is none).
    Read before synthesis, it tells a report this synthesis wrote from one left over."""
    try:
        return (Path(outdir) / VALIDATION_REPORT).stat().st_mtime_ns
    except FileNotFoundError:
        return None


def failed_synthesis(
    app: cdk.Stage, report_before: int | None, error: Exception
) -> dict[str, list[str]] | None:
    """The findings that made ``app.synth()`` fail with ``error``, by source; ``None`` when
    it failed for another reason (then ``error`` is for the caller to raise).

    aws-cdk-lib fails a synthesis that validation failed in one of two ways: a validation
    plugin (cdk-nag 3, its template validation, annotations when it reports them) reported a
    failure, after writing its report; or a construct's validation (``node.add_validation``)
    reported an error, which ``node.validate()`` still reports after synthesis stopped.
    """
    if report_written_at(app.outdir) != report_before:  # this synthesis wrote a report
        return validation_findings(app.outdir) or {SYNTHESIS_SOURCE: [str(error)]}
    try:
        errors = [
            f"[{construct.node.path}] {message}"
            for construct in app.node.find_all()
            for message in construct.node.validate()
        ]
    except Exception:  # validating again failed: the caller raises the synthesis' own error
        return None
    return {SYNTHESIS_SOURCE: errors} if errors else None


# ----------------------------------------------------------------- what synthesis wrote


def validation_findings(outdir: str) -> dict[str, list[str]]:
    """Findings of the validation report by source."""
    report = Path(outdir) / VALIDATION_REPORT
    if not report.is_file():
        return {}
    data = json.loads(report.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for plugin in data.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            where = source(plugin.get("pluginName", ""))
            rule, description = violation["ruleName"], violation.get("description", "")
            # A cdk-nag 2 finding is an annotation: report it as its pack's.
            nag_2 = NAG_2_FINDING.match(description) if where == ANNOTATIONS_SOURCE else None
            if nag_2:
                where, rule, description = source(nag_2["pack"]), nag_2["rule"], nag_2["text"]
            for construct in violation.get("violatingConstructs", []):
                found.setdefault(where, []).append(
                    f"{rule} {construct['constructPath']}: {description.strip()}"
                )
    return {where: sorted(findings) for where, findings in sorted(found.items())}


def _manifest_messages(directory: Path) -> Iterable[tuple[str, str, str]]:
    """``(level, path, text)`` of each error and warning in the cloud assembly's manifests
    (nested assemblies included), read from the files: no round trip to Node.js."""
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") == "cdk:cloud-assembly":
            nested = artifact.get("properties", {}).get("directoryName")
            if nested:
                yield from _manifest_messages(directory / nested)
            continue
        for path, entries in artifact.get("metadata", {}).items():
            for entry in entries:
                level = {"aws:cdk:error": "error", "aws:cdk:warning": "warning"}
                if entry.get("type") in level:
                    yield level[entry["type"]], path, str(entry.get("data", ""))


def annotation_findings(
    assembly: cx_api.CloudAssembly, *, errors_only: bool
) -> dict[str, list[str]]:
    """Error and warning annotations of every stack of ``assembly``, by source: cdk-nag 2
    findings (annotations, as cdk-nag 2 reports) and aws-cdk-lib's (which an aws-cdk-lib
    without ``@aws-cdk/core:annotationsInValidationReport`` leaves out of the validation
    report)."""
    found: dict[str, list[str]] = {}
    for level, path, data in _manifest_messages(Path(assembly.directory)):
        if errors_only and level != "error":
            continue
        match = NAG_2_FINDING.match(data)
        if match:
            where = source(match["pack"])
            finding = f"{match['rule']} {path.lstrip('/')}: {match['text'].strip()}"
        else:  # as the report words it: Annotation::<id> <path>: <message>
            where = ANNOTATIONS_SOURCE
            acknowledgeable = _ACK_SUFFIX.search(data)
            rule = f"Annotation::{acknowledgeable['id']}" if acknowledgeable else "Annotation"
            text = data[: acknowledgeable.start()] if acknowledgeable else data
            finding = f"{rule} {path.lstrip('/')}: {text}"
        found.setdefault(where, []).append(finding)
    return {where: sorted(findings) for where, findings in sorted(found.items())}


# ----------------------------------------------------------- a cdk-nag pack by itself


def findings_of_plugin(pack: Any, stage: cdk.Stage) -> list[str]:
    """A cdk-nag 3 pack's findings: it validates the synthesized app."""
    report = pack.validate_scope(stage)
    return [
        f"{violation.rule_name} {resource.construct_path}: {violation.description}"
        for violation in report.violations
        for resource in violation.violating_resources
    ]


def findings_of_aspect_pack(pack: Any, stage: cdk.Stage) -> list[str]:
    """A cdk-nag 2 pack's findings: it visits each resource and annotates what it finds."""
    record_for_cdk_nag_2(stage)
    found = []
    for construct in stage.node.find_all():
        if not isinstance(construct, cdk.CfnResource):
            continue
        before = len(construct.node.metadata)
        pack.visit(construct)
        for entry in construct.node.metadata[before:]:
            match = NAG_2_FINDING.match(str(entry.data))
            if entry.type in ("aws:cdk:error", "aws:cdk:warning") and match:
                found.append(f"{match['rule']} {construct.node.path}: {match['text']}")
    return found
