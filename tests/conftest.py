"""Shared fixtures: every test synthesizes with cdk.json's context and cdk-nag on."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from syrupy.assertion import SnapshotAssertion

from constructs_ecs.testing import TemplateSnapshotExtension, new_app

REPO = Path(__file__).resolve().parents[1]
CDK_JSON = REPO / "cdk.json"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "taskdefs"


def make_stack(stack_id: str = "TestStack", *, nag: bool = True) -> cdk.Stack:
    """A stack in a fresh app with the project's cdk.json context (and cdk-nag on)."""
    app = new_app(cdk_json=CDK_JSON, nag=nag)
    return cdk.Stack(app, stack_id)


@pytest.fixture
def stack() -> cdk.Stack:
    return make_stack()


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Pretty, key-sorted, normalised JSON; one file per snapshot."""
    return snapshot.use_extension(TemplateSnapshotExtension)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"task-definition corpus not found at {CORPUS} (it lives in ../shared)")
    return CORPUS
