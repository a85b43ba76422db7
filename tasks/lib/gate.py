"""The wave's cutover gate: migrations wait at AwaitWaveCutover with a task token until their wave decides.

Race-free against a concurrent decision without a lock: a migration first keeps its token on its status record,
then parks its ID on the wave item on condition that the wave has not decided; the decider writes the decision
on the same item on condition that it was not made, and gets the parked IDs back with that write. Whichever of
the two writes comes second sees the first: a parked migration is answered by the decider (its token is on the
record by then), and a migration refused the park answers its own token with the decision it was refused by.
Answering a token twice is harmless (the second answer finds the task closed), so a retried decider re-answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasks.lib.errors import WaveCutoverRejected
from tasks.lib.sfn import StepFunctions
from tasks.lib.wave_records import WaveRecords
from tasks.lib.waves import APPROVED, PENDING, Wave, WaveTable

REJECTED_ERROR = WaveCutoverRejected.__name__


@dataclass
class CutoverGate:
    """Parks, decides and answers.

    >>> CutoverGate.from_config().arrive("s-0a1b2c3d4e5f60718-7", "7", token)  # doctest: +SKIP
    'PENDING'
    """

    waves: WaveTable
    records: WaveRecords
    sfn: StepFunctions

    @classmethod
    def from_config(cls) -> "CutoverGate":
        return cls(WaveTable(), WaveRecords(), StepFunctions())

    def arrive(self, migration_id: str, wave_name: str, token: str) -> str:
        """A migration reached the gate with ``token``: answered now if its wave decided, else parked.

        Returns the decision it met: APPROVED or REJECTED (token answered), PENDING (parked).
        """
        wave = self.waves.get(wave_name)
        if wave.decision == PENDING:
            self.records.park_token(migration_id, token)
            if self.waves.park(wave_name, migration_id) == PENDING:
                return PENDING
            wave = self.waves.get(wave_name)
        self.answer(token, wave)
        return wave.decision

    def decide(self, wave_name: str, decision: str, reason: str) -> tuple[Wave, int]:
        """Record the wave's decision and answer every parked migration; the wave and how many were answered."""
        wave = self.waves.decide(wave_name, decision, reason)
        answered = 0
        for migration_id in wave.parked:
            token = self.records.parked_token(migration_id)
            if token is not None and self.answer(token, wave):
                answered += 1
        return wave, answered

    def answer(self, token: str, wave: Wave) -> bool:
        """Send ``wave``'s decision to the task waiting with ``token``; ``False`` if it no longer waits."""
        if wave.decision == APPROVED:
            return self.sfn.succeed(token, {"decision": APPROVED, "wave": wave.name, "reason": wave.reason})
        return self.sfn.fail(token, REJECTED_ERROR, f"the cutover of wave {wave.name} was rejected: {wave.reason}")
