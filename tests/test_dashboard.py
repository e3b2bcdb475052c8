"""PlatformDashboard: the cluster, the load balancer, and a row per service, placed without a
stack dependency cycle and within CloudWatch's limits."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_ecs import ConfigurationError, Deployment, PlatformDashboard, Routing, WebService
from constructs_ecs._dashboard import MAX_DASHBOARD_WIDGETS
from constructs_ecs.testing import assert_cfn_lint_clean, new_app, synth
from tests.conftest import CDK_JSON
from tests.factories import Platform, web_spec


class Split:
    """A platform stack, a services stack, and a dashboard stack of its own."""

    def __init__(self) -> None:
        self.app = new_app(cdk_json=CDK_JSON, nag=True)
        self.platform = Platform(stack=cdk.Stack(self.app, "Platform"))
        self.services = cdk.Stack(self.app, "Services")
        self.web = WebService(
            self.services,
            "Web",
            cluster=self.platform.cluster,
            load_balancer=self.platform.load_balancer,
            task_definition=web_spec("web"),
            routing=Routing(path_patterns=["/web/*"]),
        )
        self.blue = WebService(
            self.services,
            "Blue",
            cluster=self.platform.cluster,
            load_balancer=self.platform.load_balancer,
            task_definition=web_spec("blue"),
            routing=Routing(path_patterns=["/blue/*"]),
            deployment=Deployment.blue_green(),
        )
        self.worker = self.platform.worker("Worker")  # in the platform's own stack
        self.stack = cdk.Stack(self.app, "Dashboard")
        self.dashboard = PlatformDashboard(
            self.stack,
            "Dashboard",
            cluster=self.platform.cluster,
            load_balancer=self.platform.load_balancer,
            services=[self.web, self.blue],
        )
        self.assembly = synth(self.app)
        self.template: dict[str, Any] = self.assembly.get_stack_artifact(
            self.stack.artifact_id
        ).template


@pytest.fixture(scope="module")
def split() -> Split:
    return Split()


def body(template: dict[str, Any]) -> str:
    [dashboard] = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"
    ]
    return json.dumps(dashboard["Properties"]["DashboardBody"])


def test_a_dashboard_in_a_stack_of_its_own_synthesizes_without_a_cycle(split: Split) -> None:
    assert split.stack.dependencies  # it reads the platform and the services
    assert split.stack not in split.services.dependencies
    assert_cfn_lint_clean(split.template)


def test_rows_cluster_load_balancer_then_a_row_per_service(split: Split) -> None:
    text = body(split.template)
    for metric in (
        "CPUReservation",
        "MemoryReservation",
        "ContainerInstanceCount",
        "CapacityProviderReservation",
        "HTTPCode_ELB_5XX_Count",
        "HTTPCode_Target_5XX_Count",
        "TargetResponseTime",
        "RunningTaskCount",
        "DesiredTaskCount",
    ):
        assert metric in text, metric
    assert "Services/Blue: requests and 5xx" in text
    assert "Services/Blue: alarms" in text
    # 3 cluster + 2 load balancer + 4 per web service.
    assert split.dashboard.widget_count == 3 + 2 + 4 + 4
    # 4 + 1 + 1 (one capacity provider), 3 + 2, then 2 + 2 + 4 and, blue/green, 4 + 4 + 4.
    assert split.dashboard.metric_count == 6 + 5 + 8 + 12


def test_a_worker_row_shows_its_alarms_and_saturation() -> None:
    platform = Platform("WorkerRow")
    worker = platform.worker("Queue")
    dashboard = PlatformDashboard(platform.stack, "Dashboard", cluster=platform.cluster)
    widgets = dashboard.add_service(worker)
    assert len(widgets) == 2
    assert dashboard.widget_count == 3 + 2


def test_fails_when_the_dashboard_is_in_the_stack_services_depend_on(split: Split) -> None:
    dashboard = PlatformDashboard(split.platform.stack, "Cyclic", cluster=split.platform.cluster)
    with pytest.raises(ConfigurationError, match=r"^scope: .*dependency cycle"):
        dashboard.add_service(split.web)
    dashboard.add_service(split.worker)  # the same stack: no cycle


def test_fails_when_the_dashboard_would_pass_cloudwatchs_widget_limit(split: Split) -> None:
    dashboard = PlatformDashboard(split.services, "Full", cluster=split.platform.cluster)
    dashboard.widget_count = MAX_DASHBOARD_WIDGETS - 3
    with pytest.raises(ConfigurationError, match=r"^services: got '501 widgets'; at most 500"):
        dashboard.add_service(split.web)


def test_fails_when_given_something_that_is_not_a_service(split: Split) -> None:
    dashboard = PlatformDashboard(split.services, "Odd", cluster=split.platform.cluster)
    with pytest.raises(ConfigurationError, match=r"^service: "):
        dashboard.add_service(split.platform.cluster)  # type: ignore[arg-type]
