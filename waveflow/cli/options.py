"""What the commands share: the usage-error exception (exit 2), JSON options, the journal option, and keeping
stdout for the command's own JSON while handlers print and log."""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from ..local.journal import DEFAULT_PATH, Journal, JournalError
from ..local.wiring import WiringError, read_text

EXIT_FAILED = 1
EXIT_INVALID = 2


class InvalidInvocation(click.ClickException):
    """A usage problem found after option parsing (definition, input, handler, file); exits with code 2."""

    exit_code = EXIT_INVALID


def read_json(text: str, what: str):
    """``text`` as JSON; ``@FILE`` reads a UTF-8 file, ``@-`` reads standard input."""
    source = text
    if text == "@-":
        source = sys.stdin.read()
    elif text.startswith("@"):
        try:
            source = read_text(Path(text[1:]), what)
        except WiringError as exc:
            raise InvalidInvocation(f"Invalid value for {exc}") from None
    try:
        return json.loads(source)
    except ValueError as exc:
        raise InvalidInvocation(f"Invalid value for {what}: not JSON ({exc})") from None


def journal_option(command):
    return click.option("--journal", "journal_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
                        show_default=True, help="SQLite journal of executions and their histories.")(command)


def open_journal(path: Path, must_exist: bool = False) -> Journal:
    """The journal at ``path``; the default folder (.waveflow) is created, another missing folder is an error."""
    if must_exist and not path.exists():
        raise InvalidInvocation(f"No journal at {path}: run `waveflow exec` or `waveflow run` here first")
    try:
        return Journal(path, create_folder=path == DEFAULT_PATH)
    except JournalError as exc:
        raise InvalidInvocation(f"Invalid value for --journal: {exc}") from None


@contextlib.contextmanager
def output_kept_clean():
    """Yield the real stdout while everything else printed goes to stderr: a handler's print() or a logger
    writing to stdout must never corrupt the JSON a script reads from this command."""
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        yield out
