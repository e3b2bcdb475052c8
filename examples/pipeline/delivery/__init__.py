"""The shop's delivery: one typed configuration, a stage per environment, the pipeline."""

from .config import CONFIG, DeliveryConfig
from .pipeline import DeliveryPipelineStack
from .stage import ShopStage

__all__ = ["CONFIG", "DeliveryConfig", "DeliveryPipelineStack", "ShopStage"]
