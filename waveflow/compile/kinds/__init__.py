"""One module per family of state kinds: each registers how its kinds are checked and written as ASL."""
from . import containers, flow, poll, tasks

__all__ = ["containers", "flow", "poll", "tasks"]
