"""How ``synth`` tells a synthesis that validation failed from one that broke, pinned against
the installed aws-cdk-lib: by what synthesis left behind (a validation report it wrote, a
construct whose ``node.validate()`` reports an error), never by the error's message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from constructs import Construct, IValidation

from constructs_ecs._findings import VALIDATION_REPORT
from constructs_ecs.testing import NagFindingsError, load_cdk_context, synth
from tests.conftest import CDK_JSON


@jsii.implements(cdk.IPolicyValidationPlugin)
class _Plugin:
    """A validation plugin that reports one violation on every stack's ``Topic``."""

    def __init__(self, *, success: bool) -> None:
        self._success = success

    @property
    def name(self) -> str:
        return "Probe"

    @property
    def version(self) -> str | None:
        return None

    @property
    def rule_ids(self) -> list[str] | None:
        return None

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        return cdk.PolicyValidationPluginReport(
            success=self._success,
            violations=[
                cdk.PolicyViolation(
                    rule_name="PROBE1",
                    description="the probe's finding",
                    violating_resources=[
                        cdk.PolicyViolatingResource(
                            resource_logical_id="Topic",
                            template_path=path,
                            locations=["Resources/Topic"],
                        )
                    ],
                )
                for path in context.template_paths
            ],
        )


@jsii.implements(IValidation)
class _Invalid(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.node.add_validation(self)

    def validate(self) -> list[str]:
        return ["the construct's own error"]


@jsii.implements(cdk.IStableStringProducer)
class _Broken:
    def produce(self) -> str | None:
        raise ValueError("not a validation")


def _app(outdir: Path, plugin: _Plugin | None = None) -> tuple[cdk.App, cdk.Stack]:
    context = {**load_cdk_context(CDK_JSON), "aws:cdk:version-reporting": False}
    app = cdk.App(outdir=str(outdir), context=context, analytics_reporting=False)
    if plugin is not None:
        cdk.Validations.of(app).add_plugins(plugin)
    stack = cdk.Stack(app, "Probed")
    cdk.CfnResource(stack, "Topic", type="AWS::SNS::Topic")
    return app, stack


def _report(outdir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((outdir / VALIDATION_REPORT).read_text("utf-8"))
    return data


def test_a_failed_plugin_makes_synthesis_raise_after_writing_its_report(tmp_path: Path) -> None:
    app, _ = _app(tmp_path, _Plugin(success=False))
    with pytest.raises(Exception):  # noqa: B017, PT011 (jsii's error type is not the point)
        app.synth()
    reports = _report(tmp_path)["pluginReports"]
    assert [(r["pluginName"], r["conclusion"]) for r in reports] == [("Probe", "failure")]


def test_synth_reports_a_failed_plugins_findings(tmp_path: Path) -> None:
    app, _ = _app(tmp_path, _Plugin(success=False))
    with pytest.raises(NagFindingsError) as caught:
        synth(app)
    assert caught.value.by_source == {
        "cdk-nag Probe pack": ["PROBE1 Probed/Topic: the probe's finding"]
    }


def test_a_construct_validation_error_makes_synthesis_raise_with_no_report(
    tmp_path: Path,
) -> None:
    app, stack = _app(tmp_path, _Plugin(success=False))
    invalid = _Invalid(stack, "Invalid")
    with pytest.raises(Exception):  # noqa: B017, PT011
        app.synth()
    assert not (tmp_path / VALIDATION_REPORT).exists()  # construct validation comes first
    assert invalid.node.validate() == ["the construct's own error"]  # and still says why


def test_synth_reports_a_construct_validation_error(tmp_path: Path) -> None:
    app, stack = _app(tmp_path)
    _Invalid(stack, "Invalid")
    with pytest.raises(NagFindingsError) as caught:
        synth(app)
    assert caught.value.by_source == {"synthesis": ["[Probed/Invalid] the construct's own error"]}


def test_synth_raises_an_unrelated_error_as_it_is_despite_an_old_report(tmp_path: Path) -> None:
    """A report left in the output folder by an earlier synthesis is not this one's."""
    earlier, _ = _app(tmp_path, _Plugin(success=False))
    with pytest.raises(NagFindingsError):
        synth(earlier)
    app, stack = _app(tmp_path, _Plugin(success=False))

    cdk.CfnOutput(stack, "Broken", value=cdk.Lazy.string(_Broken()))
    with pytest.raises(Exception) as caught:  # noqa: PT011
        synth(app)
    assert not isinstance(caught.value, NagFindingsError)


def test_synth_passes_a_successful_plugins_report(tmp_path: Path) -> None:
    app, _ = _app(tmp_path, _Plugin(success=True))
    with pytest.raises(NagFindingsError):  # its violations are warnings: they fail unless allowed
        synth(app)
    assert synth(app, allow_warnings=True).get_stack_by_name("Probed").template
