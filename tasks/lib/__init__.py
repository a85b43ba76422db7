"""What the Lambda tasks share: one module per concern, no work at import time.

``aws`` (the client factory and clock the local twin injects into), ``config`` (settings from the environment),
``errors`` (one class per Step Functions error name), ``status`` (the legal transitions), ``store`` (the status
table), ``events`` (the custom bus), ``request`` (migration request schema), ``mgn``/``replication`` (MGN
access), ``observability`` (Powertools logger, metrics, tracer); ``stage``, ``cmf``, ``http``, ``dns`` (the
cutover's Route 53 records), ``notify`` (the operators' SNS topic) and ``secrets`` serve the stage handlers.
Schemas (request, events, table shapes) live in ``schemas/`` as data.
"""
