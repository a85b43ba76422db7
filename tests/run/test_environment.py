"""What the functions print or warn during a run goes to the run's log, not to the user's terminal; the garbage
collector is tuned while the wave runs and put back after."""
from __future__ import annotations

import gc
import io
import warnings

from waveflow.run.environment import RUN_GC_THRESHOLDS, local_aws, settled_heap


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


def test_the_heap_built_before_the_wave_is_left_out_of_collections_while_it_runs():
    before = gc.get_threshold()
    built = [{"model": n} for n in range(1000)]  # what the twin holds before the wave starts
    with settled_heap():
        assert gc.get_threshold() == RUN_GC_THRESHOLDS
        assert gc.get_freeze_count() >= len(built)
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # a collection still finds the wave's own cyclic garbage
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_settled_block_inside_another_changes_nothing_until_the_outer_one_ends():
    before = gc.get_threshold()
    with settled_heap():
        frozen = gc.get_freeze_count()
        with settled_heap():  # run_wave's own block, inside the command's
            assert gc.get_threshold() == RUN_GC_THRESHOLDS
        assert gc.get_threshold() == RUN_GC_THRESHOLDS  # the report is drawn with the run's thresholds
        assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_collections_switched_off_while_the_command_imported_run_during_the_wave_and_are_off_again_after():
    gc.disable()
    try:
        with settled_heap():
            assert gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
