"""One Application Load Balancer that many services share, routed by path and host
(``LoadBalancer``), or one defined elsewhere (``ExistingLoadBalancer``); web services take
either as a ``ServiceLoadBalancer``."""

from constructs_ecs.load_balancer._access_logs import AccessLogs
from constructs_ecs.load_balancer._existing_load_balancer import ExistingLoadBalancer
from constructs_ecs.load_balancer._load_balancer import LoadBalancer
from constructs_ecs.load_balancer._security import PlainHttp
from constructs_ecs.load_balancer._service_load_balancer import ServiceLoadBalancer

__all__ = [
    "AccessLogs",
    "ExistingLoadBalancer",
    "LoadBalancer",
    "PlainHttp",
    "ServiceLoadBalancer",
]
