"""The authoring API: write workflows in ``workflows/*.py`` with these names."""
from . import intrinsics
from .base import DISCARD, State
from .common import Catch
from .conditions import Condition, Jsonata, Var
from .containers import Map, Parallel, s3_json_items
from .data import Context, Expr, Ref, literal
from .durations import days, hours, minutes, seconds
from .flow import Choice, Fail, Pass, Succeed, Wait
from .poll import Poll
from .retry import NO_RETRY, Retry
from .tasks import Approval, LambdaTask, RunWorkflow, SdkTask, ServiceTask, Task
from .workflow import Workflow

__all__ = ["Approval", "Catch", "Choice", "Condition", "Context", "DISCARD", "Expr", "Fail", "Jsonata",
           "LambdaTask", "Map", "NO_RETRY", "Parallel", "Pass", "Poll", "Ref", "Retry", "RunWorkflow", "SdkTask",
           "ServiceTask", "State", "Succeed", "Task", "Var", "Wait", "Workflow", "days", "hours", "intrinsics",
           "literal", "minutes", "s3_json_items", "seconds"]
