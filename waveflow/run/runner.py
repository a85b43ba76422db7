"""``waveflow run``, top to bottom: the one place a run's parts are joined.

:func:`run_wave` checks the options, reads (or generates) the wave, builds the project as ``python build.py``
does, opens the run in the journal, brings up the local twin of ``build/template.yaml`` in a fresh moto account
with the MGN emulator beside it, registers and checks every server, creates the landing zone the requests point
at, submits the wave at the rate, runs the virtual clock until nothing is left to do (with live progress on the
terminal), reads the results, prices them and keeps everything in the journal. The caller (``cli/run.py``)
prints what it returns.

    >>> result = run_wave(RunOptions(servers=50, seed=7))   # doctest: +SKIP
    >>> result.summary["byStatus"]                          # doctest: +SKIP
    {'SUCCESS': 50}
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from ..compile import build
from ..local.journal import Journal
from ..local.mgn import Ec2InstanceLauncher, MgnEmulator
from ..local.twin.approver import APPROVE, IGNORE, REJECT, Approver
from ..local.twin.faults import TwinFaults
from ..local.twin.template import LOCAL_PARAMETERS, read_stack
from ..local.twin.twin import LocalTwin
from .admission import admit
from .environment import local_aws, reseed, settled_heap, sibling
from .generate import ACCOUNTS, generate_wave
from .intake import WaveRow, read_wave
from .landing import LandingZone
from .metering import Meter
from .options import RunInputError, RunOptions
from .outcome import Outcome, collect
from .progress import LiveProgress
from .record import keep_run, state_machines
from .submit import Plan, Submission, plan_messages

#: The twin's account (moto's default one) and region: the stack is deployed there, and a generated wave's prod
#: servers land there (its test and dev servers in accounts of their own, which the twin cannot see into).
ACCOUNT, REGION = "123456789012", "us-east-1"
#: The hosted zone and domain of a generated wave's DNS records, and where its requesters want callbacks.
GENERATED_ZONE = "Z0WAVEFLOWRUN00000001"
GENERATED_CALLBACK = "https://hooks.corp.example.com/migrations"
#: The simulated approver answers this long after the approval request (seeded, per run).
APPROVAL_DELAY = (3600, 3 * 3600)
_APPROVALS = {"auto": APPROVE, "reject": REJECT, "timeout": IGNORE}


@dataclass
class RunResult:
    """What a run produced: its number in the journal, the summary contract, and the outcome behind it."""

    run_id: int
    summary: dict
    outcome: Outcome
    plan: Plan
    sent: int
    log: Path
    journal: Path


def run_wave(options: RunOptions, *, console: Console | None = None) -> RunResult:
    """Run a whole wave through the local twin; ``RunInputError``/``WaveFileError``/``BuildError`` for bad input
    (before anything is sent)."""
    with settled_heap():
        return _run_wave(options, console)


def _run_wave(options: RunOptions, console: Console | None) -> RunResult:
    started = time.perf_counter()
    options = options.checked()
    profile = options.profile
    rows = _rows(options)
    files = build(options.project, options.build or Path(options.project) / "build")
    if "template.yaml" not in files:
        raise RunInputError("the build wrote no build/template.yaml: the twin is built from the stack's template")
    journal = Journal(options.journal, create_folder=True)
    run_id = journal.begin_run(options.command(), options.as_json())
    log_path = Path(options.journal).parent / "logs" / f"run-{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log_path.open("w", encoding="utf-8") as log, \
                local_aws(seed=options.seed, region=REGION, log=log) as session:
            stack = read_stack(files["template.yaml"].decode("utf-8"), parameters=LOCAL_PARAMETERS, region=REGION,
                               account=ACCOUNT, seed=options.seed)
            meter = Meter()
            meter.install(session)
            faults = TwinFaults(options.seed, profile.lambda_timeouts, profile.dynamodb_throttles,
                                profile.redelivered_messages)
            twin = LocalTwin(stack, session, seed=options.seed, journal=journal, faults=faults)
            emulator = MgnEmulator(clock=twin.clock.now, seed=options.seed, faults=profile.mgn, region=stack.region,
                                   account=stack.account)
            emulator.install(session)
            machines = state_machines(stack, files)
            with twin:
                valid, rejected = admit(rows, emulator, twin.receiver, send_invalid=options.send_invalid)
                reader = sibling(session)  # the run's own calls: neither metered nor faulted
                twin.dynamodb.install(reader, twin.wiring, billed=False)  # the same tables as the functions'
                reseed(reader, seed=options.seed, region=stack.region)
                landing = LandingZone(reader, account=stack.account, region=stack.region)
                landing.create([r.request for r in valid])
                emulator.use_instance_launcher(Ec2InstanceLauncher(reader, subnet_id=landing.launch_subnet()))
                delay = random.Random(f"waveflow-approval/{options.seed}").uniform(*APPROVAL_DELAY)
                twin.sns.listeners.append(Approver(twin.session.client("stepfunctions"), twin.scheduler,
                                                   _APPROVALS[options.approval], delay))
                plan = plan_messages(valid, rejected, profile, options.seed)
                submission = Submission(twin, plan, rate=options.rate, queue_url=_queue_url(stack),
                                        wave_machine_arn=stack.state_machine_arn(machines["MigrationWave"]),
                                        concurrency=options.concurrency)
                began = twin.clock.now()
                submission.schedule()
                progress = LiveProgress(twin, reader.client("sqs"), _dlq_url(stack), total=len(plan.messages),
                                        console=console or Console(stderr=True))
                with progress:
                    twin.run()
                    _mgn_settles(twin, emulator)
                faults.active = False
                outcome = collect(twin, reader, started_at=began, usage={**meter.usage(), **twin.dynamodb.usage()})
                for execution in twin.runtime.executions.values():
                    if execution.status == "RUNNING":  # stuck: journalled as it stands, so `history` shows why
                        journal.record(execution)
            emulator.uninstall()
    except BaseException:
        journal.finish_run(run_id, "broken")
        journal.close()
        raise
    summary = outcome.summary(time.perf_counter() - started)
    keep_run(journal, run_id, summary, outcome, plan, machines, files)
    journal.close()
    return RunResult(run_id, summary, outcome, plan, submission.sent, log_path, Path(options.journal))



def _rows(options: RunOptions) -> list[WaveRow]:
    if options.wave is not None:
        return read_wave(options.wave)
    return generate_wave(options.servers, seed=options.seed, hosted_zone_id=GENERATED_ZONE,
                         callback_url=GENERATED_CALLBACK, accounts={**ACCOUNTS, "prod": ACCOUNT})


def _mgn_settles(twin, emulator) -> None:
    """Run the clock on until MGN has done what it was asked last: a rollback's TERMINATE job terminates its
    instance when the job ends, minutes after the request, which the emulator applies only when it is next woken."""
    def wake() -> None:
        emulator.advance()
        due = emulator.next_due()
        if due is not None:
            twin.scheduler.at(due, wake)
    due = emulator.next_due()
    if due is not None:
        twin.scheduler.at(due, wake)
        twin.run()


def _queue_url(stack) -> str:
    return stack.queue_url(stack.event_source_mappings[0].queue)


def _dlq_url(stack) -> str:
    queue = stack.queue(stack.event_source_mappings[0].queue)
    return stack.queue_url(queue.dead_letter or queue.name)
