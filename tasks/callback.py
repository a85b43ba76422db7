"""Callback: tell the requester and the operators how the migration ended. Runs after SUCCESS (after finalize) or
FAILED (after rollback); adds ``callback`` and records it on the status record (no status change).

- ``callbackUrl`` present: POST the signed JSON status (``X-Waveflow-Signature: sha256=HMAC(body)`` with the
  secret ``WAVEFLOW_CALLBACK_SECRET_ID``; ``X-Waveflow-Delivery`` = migration ID + status, for the receiver
  to drop duplicates). 4xx -> ``CallbackRejected``; 5xx/429 or no connection after the poster's retries, and an
  answer lost after the request went out (never resent by the poster) -> ``CallbackUnavailable``, which the workflow
  retries with the same delivery ID.
- Always: an SNS notification to ``WAVEFLOW_NOTIFY_TOPIC_ARN`` (message attributes status, wave, appName; the
  subject made safe for SNS by ``tasks.lib.notify``).
- A callback secret that is missing or unreadable is ``ConfigError``; a throttled Secrets Manager ``AwsThrottled``.

Crash safety: each delivery is noted on the status record as soon as it succeeded, and a retry skips what is
noted. The narrow window between a delivery and its note can repeat that delivery: receivers deduplicate on
the delivery ID, SNS subscribers on the ``deliveryId`` attribute.
"""

from __future__ import annotations

import json

from tasks.lib import aws, http, notify
from tasks.lib.config import load_config
from tasks.lib.secrets import read_secret
from tasks.lib.stage import StageRun, stage
from tasks.lib.status import TERMINAL

DELIVERY_HEADER = "X-Waveflow-Delivery"
SUMMARY_FIELDS = ("migrationId", "correlationId", "sourceServerId", "appName", "wave", "environment", "requestedBy")


@stage("callback", runs_in=TERMINAL, idempotent_on=("callbackUrl",))
def handler(document: dict, run: StageRun) -> dict:
    """POST the outcome to ``callbackUrl`` (if any) and notify SNS; each delivery once."""
    payload = status_payload(document, run)
    delivery_id = f"{run.migration_id}:{payload['status']}"
    done = run.detail()
    callback = {"status": payload["status"], "deliveryId": delivery_id, **done}
    if document.get("callbackUrl") and not done.get("posted"):
        response = http.poster().post_json(
            document["callbackUrl"],
            payload,
            secret=read_secret(load_config().callback_secret_id, "the callback signing secret"),
            headers={DELIVERY_HEADER: delivery_id},
        )
        callback.update(posted=True, httpStatus=response.status, postedAt=aws.iso_now())
        run.note(callback)
    if not done.get("notified"):
        message_id = _notify(payload, delivery_id)
        callback.update(notified=True, snsMessageId=message_id)
        run.note(callback)
    return callback


def status_payload(document: dict, run: StageRun) -> dict:
    """What the requester hears: identity, final status, and the error or the cutover outcome."""
    record = run.record
    details = record.get("executionDetails") or {}
    payload = {key: record.get(key, document.get(key)) for key in SUMMARY_FIELDS if record.get(key, document.get(key))}
    payload["status"] = record["status"]
    payload["updatedAt"] = record.get("updatedAt")
    if "rollback" in details:
        payload["error"] = details["rollback"].get("error")
    if "cutover" in details:
        payload["cutover"] = {k: details["cutover"][k] for k in ("instanceId", "dns") if k in details["cutover"]}
    return payload


def _notify(payload: dict, delivery_id: str) -> str:
    attributes = {
        "status": payload["status"],
        "wave": str(payload.get("wave", "")),
        "appName": payload.get("appName", ""),
        "deliveryId": delivery_id,
    }
    return notify.publish(
        f"waveflow: {payload.get('appName', '')} {payload['migrationId']} {payload['status']}",
        json.dumps(payload, sort_keys=True),
        attributes,
    )
