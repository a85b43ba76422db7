"""The clock and the discrete-event loop."""
from waveflow.local.clock import DEFAULT_START, RealtimeClock, VirtualClock, iso8601
from waveflow.local.scheduler import Scheduler


def test_timers_run_in_time_then_insertion_order_and_move_the_virtual_clock():
    clock = VirtualClock()
    scheduler = Scheduler(clock)
    seen = []
    scheduler.after(10, lambda: seen.append(("b", clock.now() - DEFAULT_START)))
    scheduler.after(5, lambda: seen.append(("a", clock.now() - DEFAULT_START)))
    scheduler.after(10, lambda: seen.append(("c", clock.now() - DEFAULT_START)))
    scheduler.run()
    assert seen == [("a", 5), ("b", 10), ("c", 10)]


def test_cancelled_timers_neither_run_nor_move_the_clock():
    clock = VirtualClock()
    scheduler = Scheduler(clock)
    scheduler.after(86400, lambda: None).cancel()
    scheduler.run()
    assert clock.now() == DEFAULT_START and scheduler.pending() == 0


def test_run_until_leaves_later_timers_pending():
    clock = VirtualClock()
    scheduler = Scheduler(clock)
    scheduler.after(100, lambda: None)
    scheduler.run(until=DEFAULT_START + 40)
    assert (clock.now(), scheduler.pending()) == (DEFAULT_START + 40, 1)


def test_seeded_uuids_repeat():
    assert Scheduler(VirtualClock(), 9).uuid4() == Scheduler(VirtualClock(), 9).uuid4()


def test_realtime_clock_sleeps_until_the_due_time():
    slept = []
    ticks = iter([0.0, 0.0, 0.0])
    clock = RealtimeClock(start=100.0, sleep=slept.append, monotonic=lambda: next(ticks))
    clock.advance_to(102.5)
    assert slept == [2.5]


def test_iso8601_has_milliseconds_and_z():
    assert iso8601(DEFAULT_START + 1.5) == "2026-01-01T00:00:01.500Z"
