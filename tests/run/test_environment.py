"""What the functions print or warn during a run goes to the run's log, not to the user's terminal."""
from __future__ import annotations

import io
import warnings

from waveflow.run.environment import local_aws


def test_prints_and_warnings_go_to_the_runs_log(capsys):
    log = io.StringIO()
    with local_aws(seed=1, region="us-east-1", log=log):
        print("printed by a function")
        warnings.warn("No application metrics to publish", UserWarning)  # what Powertools says, e.g.

    written = log.getvalue()
    assert "printed by a function" in written and "No application metrics to publish" in written
    captured = capsys.readouterr()
    assert "printed by a function" not in captured.out
    assert "No application metrics" not in captured.err
