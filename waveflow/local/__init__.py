"""The local twin's ASL interpreter: ``runtime.LocalRuntime`` and ``runtime.run_definition`` are the entry points.

Modules, one job each: ``clock``/``scheduler`` (virtual time), ``jsonpath``/``paths``/``intrinsics``/``jsonata``
(the query languages), ``dataflow`` (a state's input/output processing), ``states/`` (one executor per state
type), ``retry`` (Retry/Catch), ``resources/`` (Task integrations), ``execution`` (the trampoline), ``history``
and ``journal`` (GetExecutionHistory events, SQLite), ``validate`` (definition checks). Its CLI is
``waveflow.cli.execute``.
"""
