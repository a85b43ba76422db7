"""``build/template.yaml``: the project's ``templates/*.yaml.j2`` rendered with the model of this build."""
from __future__ import annotations

import json
from pathlib import Path

import jinja2

from ..compile.problems import BuildError, Problem
from . import monitoring
from .entrypoints import QueueTrigger
from .model import build_model
from .policy import as_yaml
from .yamltext import inline, to_yaml

TEMPLATE = "template.yaml.j2"
#: The VPC endpoints of the services the tasks call (S3 and DynamoDB as free gateway endpoints).
GATEWAY_ENDPOINTS = ("s3", "dynamodb")
INTERFACE_ENDPOINTS = ("sqs", "events", "states", "mgn", "ssm", "sns", "secretsmanager", "ec2", "sts")


def render_stack(root: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    """``{"template.yaml": bytes}`` for a project with ``templates/``, ``{}`` for one without.

    ``files`` are the build's other outputs (``manifest.json`` and the ASL). Raises ``BuildError`` naming every
    problem: a function without a role, a handler that does not exist, an unfilled or unused placeholder, a
    value a partial needs and the model lacks.
    """
    folder = Path(root) / "templates"
    if not (folder / TEMPLATE).is_file():
        return {}
    manifest = json.loads(files["manifest.json"])
    definitions = {name: json.loads(files[w["definition"]]) for name, w in manifest["workflows"].items()}
    model = build_model(Path(root), manifest, definitions)
    if model.problems:
        raise BuildError([Problem(file, 1, message) for file, message in model.problems])
    context = {
        "functions": model.functions,
        "workflows": model.workflows,
        "rules": model.rules,
        "tables": model.tables,
        "request_model": model.request_model,
        "queue_visibility": model.queue_visibility,
        "alarms": monitoring.alarms(model.functions, model.workflows),
        "queries": monitoring.queries(model.functions, model.workflows),
        "dashboard_body": monitoring.dashboard_body(model.functions, model.workflows),
        "gateway_endpoints": GATEWAY_ENDPOINTS,
        "interface_endpoints": INTERFACE_ENDPOINTS,
    }
    try:
        text = _environment(folder).get_template(TEMPLATE).render(context)
    except jinja2.UndefinedError as exc:
        raise BuildError([Problem(f"templates/{TEMPLATE}", 1, f"template needs a value the build does not provide: "
                                                              f"{exc.message}")]) from exc
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or f"templates/{TEMPLATE}"
        raise BuildError([Problem(where, getattr(exc, "lineno", None) or 1, str(exc))]) from exc
    return {"template.yaml": text.encode("utf-8")}


def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = to_yaml
    env.filters["inline"] = inline
    env.filters["statements"] = as_yaml
    env.tests["queue_trigger"] = lambda value: isinstance(value, QueueTrigger)
    return env
