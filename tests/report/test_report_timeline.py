"""The timeline's data: a state's name written once, stages as short arrays, waits closer than the timeline can
show merged."""
from report_builders import constructed

from waveflow.report.model import OUTCOMES
from waveflow.report.timeline import merged, timeline_data


def test_waits_closer_than_the_resolution_become_one_stretch():
    waits = ((0.0, 10.0), (10.4, 20.0), (25.0, 30.0), (30.0, 31.25))
    assert merged(waits, 1.0) == [[0.0, 20.0], [25.0, 31.2]]
    assert merged(waits, 0.1) == [[0.0, 10.0], [10.4, 20.0], [25.0, 31.2]]
    assert merged((), 1.0) == []


def test_stages_point_into_one_table_of_states():
    report = constructed(4)
    data = timeline_data(report)
    assert data["states"] == [["Work", "Task", False], ["Done", "Succeed", False], ["Undo", "Task", True],
                              ["Failed", "Fail", True]]
    assert [row["id"] for row in data["rows"]] == [m.migration_id for m in report.migrations]
    failed = data["rows"][3]
    assert [data["states"][s[0]][0] for s in failed["stages"]] == ["Work", "Undo", "Failed"]
    assert [OUTCOMES[s[3]] for s in failed["stages"]] == ["caught", "succeeded", "failed"]
    assert data["span"] == max(m.end for m in report.migrations)
