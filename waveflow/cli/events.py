"""``waveflow events replay``: replay the archived events of a time window onto the stack's bus."""
from __future__ import annotations

from datetime import datetime, timezone

import click

from ..ops.replay import replay
from .ops import stack_options


class Moment(click.ParamType):
    """An ISO 8601 time; without a zone it is UTC."""

    name = "TIME"

    def convert(self, value, param, ctx):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time such as 2026-01-31T14:00:00Z", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.group("events")
def events_group():
    """The event bus and archive of a deployed stack."""


@events_group.command("replay")
@click.option("--from", "start", type=Moment(), required=True, help="Start of the window (ISO 8601).")
@click.option("--to", "end", type=Moment(), required=True, help="End of the window (ISO 8601).")
@stack_options
def replay_command(stack, start, end):
    """Send the archived waveflow events between --from and --to to the bus again."""
    started = replay(stack, start, end)
    click.echo(f"replay {started['name']} of {started['from']} .. {started['to']}: {started['state']}")
