"""One executor class per ASL state type, found through ``STATE_TYPES``."""
from __future__ import annotations

from .choice import ChoiceState
from .map import MapState
from .parallel import ParallelState
from .simple import FailState, PassState, SucceedState
from .task import TaskState
from .wait import WaitState

STATE_TYPES = {cls.type_name: cls for cls in (PassState, TaskState, ChoiceState, WaitState, SucceedState, FailState,
                                               ParallelState, MapState)}
