"""``waveflow dlq list | redrive``: dead-lettered requests and events, with their reasons; send fixed ones back."""
from __future__ import annotations

import click

from ..deploy.table import table
from ..ops import dlq
from .ops import stack_options

QUEUE = click.option("--queue", type=click.Choice(sorted(dlq.QUEUES)), default="requests", show_default=True,
                     help="requests: refused migration requests; events: undelivered events.")


@click.group("dlq")
def dlq_group():
    """The dead-letter queues of a deployed stack."""


@dlq_group.command("list")
@QUEUE
@stack_options
def list_command(stack, queue):
    """Every message with its waveflow.reason (left in the queue)."""
    found = dlq.messages(stack, queue)
    click.echo(table(f"{len(found)} messages in the {queue} dead-letter queue of {stack.name}",
                     ["MessageId", "Reason", "Body"],
                     [[m.message_id, m.reason or "-", m.preview[:70].replace("\n", " ")] for m in found]))


@dlq_group.command("redrive")
@QUEUE
@click.option("--id", "ids", multiple=True, help="A message to send back (repeatable; default: all).")
@stack_options
def redrive_command(stack, queue, ids):
    """Send messages back: requests to the migration queue, events to the bus."""
    sent = dlq.redrive(stack, queue, list(ids) or None)
    for message_id in sent:
        click.echo(f"redrove {message_id}")
    click.echo(f"{len(sent)} messages sent back from the {queue} dead-letter queue")
