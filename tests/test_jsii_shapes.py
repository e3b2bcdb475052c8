"""What the argument checker reads of jsii, pinned against the installed jsii and aws-cdk-lib:
a jsii interface is told from a jsii class, a struct or an enum by jsii's public API
(``jsii.proxy_for``, ``jsii.JSIIMeta``), not by its name."""

from __future__ import annotations

import typing

import aws_cdk as cdk
import constructs
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs

from constructs_ecs._arguments import _is_jsii_interface, _matches


@pytest.mark.parametrize(
    "interface",
    [ec2.IVpc, iam.IRole, logs.ILogGroup, constructs.IConstruct, cdk.IStableStringProducer],
)
def test_a_jsii_interface_is_one(interface: type) -> None:
    assert _is_jsii_interface(interface)


@pytest.mark.parametrize(
    "cls", [ec2.Vpc, cdk.Resource, cdk.Duration, ec2.SubnetSelection, logs.RetentionDays, str]
)
def test_a_jsii_class_struct_or_enum_is_no_interface(cls: type) -> None:
    assert not _is_jsii_interface(cls)


def test_a_protocol_of_our_own_named_like_an_interface_is_no_jsii_interface() -> None:
    class IThing(typing.Protocol):
        def thing(self) -> None: ...

    assert not _is_jsii_interface(IThing)


def test_an_imported_role_matches_its_interface_not_another() -> None:
    stack = cdk.Stack()
    role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::123456789012:role/r")
    assert _matches(role, iam.IRole)
    assert not _matches(role, ec2.IVpc)
