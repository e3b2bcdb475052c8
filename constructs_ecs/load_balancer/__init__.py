"""One Application Load Balancer that many services share, routed by path and host
(``LoadBalancer``), or one defined elsewhere (``ExistingLoadBalancer``)."""

from constructs_ecs.load_balancer._existing_load_balancer import ExistingLoadBalancer
from constructs_ecs.load_balancer._load_balancer import LoadBalancer
from constructs_ecs.load_balancer._security import PlainHttp

__all__ = ["ExistingLoadBalancer", "LoadBalancer", "PlainHttp"]
