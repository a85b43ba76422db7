"""The local twin of the deployed stack: what joins the interpreter, the tasks, moto and the MGN emulator as AWS
joins them.

One module per job: ``stack`` (the description of the deployed resources the twin is built from), ``provision``
(creating them in moto), ``wire`` (answering and watching AWS calls on botocore's hooks), ``stepfunctions`` (the
Step Functions API served from the interpreter), ``functions`` (each Lambda function in process, with its own
environment, context, counters and asynchronous retries), ``event_source`` (the SQS event source mapping),
``eventbridge`` with ``patterns`` and ``transform`` (PutEvents, rule matching, target input, delivery),
``certificates``, ``receiver`` and ``sns`` (the local HTTPS receiver of callbacks and signed SNS notifications),
``approver`` (a simulated approver) and ``twin`` (all of them wired in one place: ``LocalTwin``).
"""
