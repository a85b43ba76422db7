"""Lints compiled ASL with statelint (the reference ASL linter), so the build never writes what AWS would refuse."""
from __future__ import annotations

import re

from statelint.linter import Linter

# Fields AWS documents that statelint 3.1 does not know yet, and its one known false positive (each checked
# against the Step Functions developer guide). Only these exact findings are set aside; anything else statelint
# says fails the build.
STATELINT_GAPS = (
    # "ItemReader (Map)": ReaderConfig.InputType accepts CSV | JSON | JSONL | PARQUET | MANIFEST.
    re.compile(r'^Field "InputType" not allowed in .*\.ItemReader\.ReaderConfig$'),
    re.compile(r'^Field "CSVHeader(s|Location)" not allowed in .*\.ItemReader\.ReaderConfig$'),
    # JSONata mode: a Wait's Seconds may be a {% %} expression; statelint insists on an integer.
    re.compile(r'^State Machine\..*\.Seconds is "\{%.*%\}" but should be an Integer$'),
    # "Passing data between states with variables": Assign is allowed in JSONPath states too ("x.$" keys);
    # statelint 3.1 allows it only in JSONata states.
    re.compile(r'^Field "Assign" not allowed in .*'),
    # "Map state": Label names a Distributed Map's child executions.
    re.compile(r'^Field "Label" not allowed in .*'),
    # "Passing data between states with variables": a JSONPath Wait reads a variable with "SecondsPath": "$name"
    # (a Poll's interval); statelint 3.1 accepts only input paths there.
    re.compile(r'^State Machine\..*\.SecondsPath is "\$[A-Za-z_][A-Za-z0-9_]*" but should be a Reference Path$'),
)


def lint_definition(definition: dict) -> list[str]:
    """Every statelint finding for one definition, less the documented gaps; empty when clean."""
    return [finding for finding in Linter.validate(definition)
            if not any(gap.match(finding) for gap in STATELINT_GAPS)]
