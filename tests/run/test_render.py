"""The run's text summary shows a failure's message, not the JSON error document Lambda wraps it in."""
import json

from waveflow.run.render import _message


def test_a_failures_cause_reads_as_its_error_message_even_when_cut():
    document = json.dumps({"errorMessage": 'MGN said "Rate exceeded"', "errorType": "MgnThrottled",
                           "stackTrace": ["  File \"x.py\", line 1\n" * 200]})
    assert _message(document) == 'MGN said "Rate exceeded"'
    assert _message(document[:2000]) == 'MGN said "Rate exceeded"'  # as the status record keeps it
    assert _message("replication stalled") == "replication stalled"
    assert _message(None) == ""
