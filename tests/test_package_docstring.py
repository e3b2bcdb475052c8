"""The example in ``constructs_ecs``'s own docstring (``help(constructs_ecs)``) runs clean."""

from __future__ import annotations

import textwrap
from typing import Any

import aws_cdk as cdk

import constructs_ecs
from constructs_ecs.testing import assert_cfn_lint_clean, assert_nag_clean, new_app, template_of
from tests.conftest import CDK_JSON


def docstring_example() -> str:
    doc = constructs_ecs.__doc__ or ""
    block = doc.split("::\n", 1)[1]
    return textwrap.dedent(block)


def test_package_docstring_has_an_example() -> None:
    assert "WebService(" in docstring_example()


def test_package_docstring_example_synthesizes_clean() -> None:
    app = new_app(cdk_json=CDK_JSON)
    stack = cdk.Stack(app, "DocstringExample")
    namespace: dict[str, Any] = {"stack": stack}
    exec(compile(docstring_example(), "constructs_ecs/__init__.py", "exec"), namespace)
    template = template_of(stack)  # strict: any warning fails
    assert {r["Type"] for r in template["Resources"].values()} >= {
        "AWS::EC2::VPC",
        "AWS::ECS::Cluster",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::ECS::Service",
    }
    assert_nag_clean(stack)
    assert_cfn_lint_clean(template)
