"""The process a run happens in: a fake AWS account in moto, seeded, and the functions' output kept off stdout.

* **Credentials and settings**: fake keys, the stack's region, nothing read from the machine's AWS configuration
  (profiles, config and credentials files are hidden), no instance metadata lookups; moto without its default
  AMIs (the twin registers its own).
* **One attempt per AWS request** (``AWS_MAX_ATTEMPTS=1``): a throttled or failing request reaches the task at
  once, and the workflow retries it on the virtual clock. botocore's own retries would sleep in wall time and
  hide the faults a run injects from the workflow that has to handle them.
* **Seeded moto**: moto draws message IDs, instance IDs and the like from its own random generator; seeding it
  with the run's seed makes them, and the correlation IDs ingress derives from message IDs, repeat.
* **The garbage collector** (``settled_heap``): what exists before the run (the imported modules) is frozen out of
  its collections, and a young collection waits for 50,000 new objects, not 700: a wave allocates millions of
  short-lived objects, and the full collections that followed walked the whole, growing heap (6 % of a
  1,000-server run). The command switches collections off while it imports (they found nothing to free) and keeps
  the heap settled through its report; what a run made joins the oldest generation at the end without being walked.
* **The functions' stdout** (Powertools' log lines and EMF metrics) goes where Lambda sends a function's output,
  a log, here ``log`` (a file), never to the command's stdout, which belongs to ``--json``.

    >>> with local_aws(seed=7, region="us-east-1", log=open("run.log", "w")) as session:   # doctest: +SKIP
    ...     twin = LocalTwin(stack, session)
"""
from __future__ import annotations

import contextlib
import gc
import logging
import warnings
from typing import IO, Iterator

import boto3
import botocore.session
from moto import mock_aws
from moto.moto_api._internal import mock_random

from tasks.lib import aws, http, observability

from ..local.environment import environment
from ..local.twin.speed import faster_moto

PROCESS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_DEV": "false",
}
HIDDEN = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL",
          "AWS_RETRY_MODE", "MOTO_ACCOUNT_ID")


@contextlib.contextmanager
def local_aws(*, seed: int, region: str, log: IO[str]) -> Iterator[boto3.Session]:
    """A session on a fresh moto account; the process's environment and the tasks' settings restored after."""
    mock_random.seed(seed)
    try:
        with environment({**PROCESS_ENV, "AWS_DEFAULT_REGION": region}, HIDDEN), mock_aws(), faster_moto(), \
                _output_to(log):
            yield boto3.Session(region_name=region)
    finally:
        aws.configure()
        http.configure()


def sibling(session: boto3.Session) -> boto3.Session:
    """Another session on the same local AWS that reads botocore's service models through ``session``'s loader:
    each model is read from disk and parsed once per run, not once per session (a second, large share of start-up)."""
    core = botocore.session.get_session()
    core.register_component("data_loader", session._session.get_component("data_loader"))
    return boto3.Session(botocore_session=core, region_name=session.region_name)


def reseed(session: boto3.Session, *, seed: int, region: str) -> None:
    """Seed moto's random IDs again, once its region's EC2 is built, so the IDs drawn from here on (VPCs, instances,
    ...) depend on the seed alone. moto builds a region's EC2 (a default VPC, with random IDs) on first use, and when
    it happens depends on what ran earlier in the process (a run before this one, in tests or a notebook): without
    this, a chaos wave after another run got other subnets' zones and other faults than the same wave alone."""
    session.client("ec2", region_name=region).describe_vpcs()
    mock_random.seed(seed)


#: (young, middle, old) collection thresholds while a wave runs; Python's defaults are (700, 10, 10)
RUN_GC_THRESHOLDS = (50_000, 20, 10)


class _Settling:
    """How many ``settled_heap`` blocks are open: only the outermost one freezes and restores."""

    depth = 0


@contextlib.contextmanager
def settled_heap() -> Iterator[None]:
    """While the block runs: every object that exists now is left out of the cyclic collector's work (a permanent
    generation, ``gc.freeze``) and collections run less often; both undone after. A block inside another one changes
    nothing: the command opens one around the run *and* its report, because the report, drawn with the collector
    back to Python's thresholds, started full collections that walked the whole run's heap (3-5 s at 1,000 servers)
    just before the process ended."""
    if _Settling.depth:
        _Settling.depth += 1
        try:
            yield
        finally:
            _Settling.depth -= 1
        return
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.collect()  # what is garbage now is collected, not frozen
    gc.freeze()
    gc.set_threshold(*RUN_GC_THRESHOLDS)
    gc.enable()  # the command may have switched collections off while it imported (see waveflow.cli.main)
    _Settling.depth = 1
    try:
        yield
    finally:
        _Settling.depth = 0
        gc.freeze()  # with the unfreeze below: what the block made joins the oldest generation at once, not
        gc.set_threshold(*thresholds)  # through a young collection that would walk all of it first
        gc.unfreeze()
        if not enabled:
            gc.disable()


@contextlib.contextmanager
def _output_to(log: IO[str]) -> Iterator[None]:
    """Whatever the functions print goes to ``log``: stdout itself, the tasks' logger (Powertools' logger takes
    hold of the stream it writes to when it is built, at import) and Python's warnings (Powertools warns when a
    function published no metrics, which a chaos wave's timed-out invocations do)."""
    logger = logging.getLogger(observability.SERVICE)
    handlers = [handler for handler in logger.handlers if isinstance(handler, logging.StreamHandler)]
    streams, propagates = [handler.stream for handler in handlers], logger.propagate
    for handler in handlers:
        handler.setStream(log)
    logger.propagate = False  # nor to whatever the hosting process logs to
    try:
        with contextlib.redirect_stdout(log), warnings.catch_warnings():
            warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: log.write(
                warnings.formatwarning(message, category, filename, lineno, line))
            yield
    finally:
        logger.propagate = propagates
        for handler, stream in zip(handlers, streams):
            handler.setStream(stream)
