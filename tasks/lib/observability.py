"""The tasks' Powertools logger, metrics and tracer: service ``waveflow``, metrics namespace ``Waveflow``.

One instance of each per process, shared by every handler, so log lines, EMF metrics and traces of all stages
carry the same service name and can be joined on the correlation ID. Building them does no I/O; the tracer
patches botocore only inside Lambda (Powertools disables tracing elsewhere).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "waveflow"
NAMESPACE = "Waveflow"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE, patch_modules=["botocore"])
