"""Operating a deployed stack: where migrations are (status), what was refused (dlq), replaying events.

Each function takes a :class:`~waveflow.ops.stack.Stack` — a stack found by name, its resources looked up from
its CloudFormation outputs — so operators name the stack, never its generated queue or table names.
"""
