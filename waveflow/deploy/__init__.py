"""Shipping the stack: the code package, change-set deploys, per-environment parameters (``deploy/``)."""
from .errors import DeployError, DeployFailed
from .run import DeployOptions, deploy

__all__ = ["DeployError", "DeployFailed", "DeployOptions", "deploy"]
