"""``waveflow status``: where each migration of a wave, an application, or one migration stands."""
from __future__ import annotations

import json

import click

from ..deploy.table import table
from ..ops.status import migrations
from .ops import stack_options

COLUMNS = ["migrationId", "wave", "appName", "status", "stage", "updatedAt", "lastError"]


@click.command("status")
@click.option("--wave", default=None, help="The migrations of this wave.")
@click.option("--app", default=None, help="The migrations of this application.")
@click.option("--migration", default=None, help="One migration, by ID.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@stack_options
def status_command(stack, wave, app, migration, as_json):
    """Status, stage and last error of migrations, through the status table's indexes."""
    rows = sorted(migrations(stack, wave=wave, app=app, migration=migration), key=lambda r: r["migrationId"])
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    click.echo(table(f"{len(rows)} migrations in {stack.name}", COLUMNS,
                     [["" if r[c] is None else str(r[c]) for c in COLUMNS] for r in rows]))
