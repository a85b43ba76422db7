"""One function per MGN operation, found through ``OPERATIONS`` by the operation's wire name.

Each takes the estate and the validated request parameters and returns the response members (None for an
empty response). Operations the registry lacks are answered as AWS answers an unknown action, never silently.
"""
from __future__ import annotations

import base64
import json
from functools import partial
from typing import Callable

from . import lifecycle, render
from .errors import ValidationException
from .estate import Estate
from .lifecycle import REPLICATION_CONTROLS
from .timefmt import parse_datetime

Operation = Callable[[Estate, dict], "dict | None"]
OPERATIONS: dict[str, Operation] = {}
DEFAULT_PAGE_SIZE = 1000  # the model's maximum for maxResults


def operation(name: str) -> Callable[[Operation], Operation]:
    """Register the decorated function as the emulation of MGN operation ``name``."""
    def register(function: Operation) -> Operation:
        OPERATIONS[name] = function
        return function
    return register


def _offset(token: str, scope: str) -> int:
    """Where a nextToken this emulator issued for ``scope`` continues; anything else is a ValidationException."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        decoded = None
    if not (isinstance(decoded, dict) and decoded.get("scope") == scope
            and isinstance(decoded.get("offset"), int) and decoded["offset"] >= 0):
        raise ValidationException(f"Invalid nextToken for {scope}", reason="fieldValidationFailed",
                                  fieldList=[{"name": "nextToken", "message": "is not a token this operation issued"}])
    return decoded["offset"]


def _page(items: list, params: dict, scope: str) -> tuple[list, str | None]:
    """One page of ``items`` per maxResults/nextToken; tokens are opaque and bound to their operation."""
    offset = _offset(params["nextToken"], scope) if params.get("nextToken") else 0
    end = offset + params.get("maxResults", DEFAULT_PAGE_SIZE)
    token = None
    if end < len(items):
        token = base64.urlsafe_b64encode(json.dumps({"scope": scope, "offset": end}).encode()).decode()
    return items[offset:end], token


def _listing(items: list, token: str | None) -> dict:
    return {"items": items} | ({"nextToken": token} if token else {})


@operation("InitializeService")
def initialize_service(estate: Estate, params: dict) -> None:
    estate.initialized = True


# DescribeSourceServers filter member -> test of one server against the filter's value.
SERVER_FILTERS = {
    "sourceServerIDs": lambda server, wanted: server.source_server_id in wanted,
    "isArchived": lambda server, wanted: server.is_archived == wanted,
    "lifeCycleStates": lambda server, wanted: server.lifecycle in wanted,
    "replicationTypes": lambda server, wanted: server.replication_type in wanted,
    "applicationIDs": lambda server, wanted: False,  # the emulator keeps no applications
}


@operation("DescribeSourceServers")
def describe_source_servers(estate: Estate, params: dict) -> dict:
    filters = params.get("filters") or {}
    tests = [(SERVER_FILTERS[name], wanted) for name, wanted in filters.items() if wanted not in (None, [])]
    if ids := filters.get("sourceServerIDs"):
        candidates = [estate.servers[sid] for sid in dict.fromkeys(ids) if sid in estate.servers]
    else:
        candidates = list(estate.servers.values())
    matched = [server for server in candidates if all(test(server, wanted) for test, wanted in tests)]
    page, token = _page(matched, params, "DescribeSourceServers")
    now = estate.clock()
    return _listing([render.source_server(server, now) for server in page], token)


@operation("DescribeJobs")
def describe_jobs(estate: Estate, params: dict) -> dict:
    filters = params.get("filters") or {}
    wanted = set(filters.get("jobIDs") or ())
    since = parse_datetime(filters["fromDate"]) if filters.get("fromDate") else float("-inf")
    until = parse_datetime(filters["toDate"]) if filters.get("toDate") else float("inf")
    # one job asked for by ID (a stage polling its job) is looked up, not searched for among every job of the estate
    candidates = [estate.jobs[job_id] for job_id in wanted if job_id in estate.jobs] if len(wanted) == 1 \
        else estate.jobs.values()
    matched = [job for job in candidates if (not wanted or job.job_id in wanted) and since <= job.created <= until]
    page, token = _page(matched, params, "DescribeJobs")
    return _listing([render.job(job) for job in page], token)


@operation("DescribeJobLogItems")
def describe_job_log_items(estate: Estate, params: dict) -> dict:
    job = estate.job(params["jobID"])
    page, token = _page(render.job_log_items(job) if job else [], params, f"DescribeJobLogItems:{params['jobID']}")
    return _listing(page, token)


def _start_launch(initiated_by: str, estate: Estate, params: dict) -> dict:
    job = lifecycle.launch(estate, params["sourceServerIDs"], initiated_by, params.get("tags") or {})
    return {"job": render.job(job)}


OPERATIONS["StartTest"] = partial(_start_launch, "START_TEST")
OPERATIONS["StartCutover"] = partial(_start_launch, "START_CUTOVER")


@operation("TerminateTargetInstances")
def terminate_target_instances(estate: Estate, params: dict) -> dict:
    job = lifecycle.terminate(estate, params["sourceServerIDs"], params.get("tags") or {})
    return {"job": render.job(job)}


def _server_reply(estate: Estate, server_id: str) -> dict:
    return render.source_server(estate.server(server_id), estate.clock())


@operation("ChangeServerLifeCycleState")
def change_server_life_cycle_state(estate: Estate, params: dict) -> dict:
    server = estate.server(params["sourceServerID"])
    lifecycle.change_lifecycle(estate, server, params["lifeCycle"]["state"])
    return _server_reply(estate, server.source_server_id)


@operation("FinalizeCutover")
def finalize_cutover(estate: Estate, params: dict) -> dict:
    lifecycle.finalize_cutover(estate, estate.server(params["sourceServerID"]))
    return _server_reply(estate, params["sourceServerID"])


@operation("MarkAsArchived")
def mark_as_archived(estate: Estate, params: dict) -> dict:
    lifecycle.mark_archived(estate.server(params["sourceServerID"]))
    return _server_reply(estate, params["sourceServerID"])


@operation("DisconnectFromService")
def disconnect_from_service(estate: Estate, params: dict) -> dict:
    lifecycle.disconnect(estate, estate.server(params["sourceServerID"]))
    return _server_reply(estate, params["sourceServerID"])


@operation("DeleteSourceServer")
def delete_source_server(estate: Estate, params: dict) -> None:
    lifecycle.delete(estate, estate.server(params["sourceServerID"]))


def _control_replication(name: str, estate: Estate, params: dict) -> dict:
    lifecycle.control_replication(estate, estate.server(params["sourceServerID"]), name)
    return _server_reply(estate, params["sourceServerID"])


OPERATIONS.update({name: partial(_control_replication, name) for name in REPLICATION_CONTROLS})


def _settings(attribute: str, estate: Estate, params: dict) -> dict:
    return dict(getattr(estate.server(params["sourceServerID"]), attribute))


def _update_settings(attribute: str, estate: Estate, params: dict) -> dict:
    """Merge the given members into the server's settings; refused while a job of the server is running."""
    server = estate.server(params["sourceServerID"])
    lifecycle.require_no_running_job(estate, server)
    settings = getattr(server, attribute)
    settings.update({name: value for name, value in params.items() if name not in ("sourceServerID", "accountID")})
    return dict(settings)


OPERATIONS["GetLaunchConfiguration"] = partial(_settings, "launch_configuration")
OPERATIONS["UpdateLaunchConfiguration"] = partial(_update_settings, "launch_configuration")
OPERATIONS["GetReplicationConfiguration"] = partial(_settings, "replication_configuration")
OPERATIONS["UpdateReplicationConfiguration"] = partial(_update_settings, "replication_configuration")


@operation("TagResource")
def tag_resource(estate: Estate, params: dict) -> None:
    estate.tagged(params["resourceArn"]).update(params["tags"])


@operation("UntagResource")
def untag_resource(estate: Estate, params: dict) -> None:
    tags = estate.tagged(params["resourceArn"])
    for key in params["tagKeys"]:
        tags.pop(key, None)


@operation("ListTagsForResource")
def list_tags_for_resource(estate: Estate, params: dict) -> dict:
    return {"tags": dict(estate.tagged(params["resourceArn"]))}
