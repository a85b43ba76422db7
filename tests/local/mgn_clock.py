"""The hand-moved clock the MGN emulator tests give the emulator (it reads time only through this callable)."""

T0 = 1_700_000_000.0


class Clock:
    """A virtual clock the test moves by hand: ``clock.now += 600``."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now
