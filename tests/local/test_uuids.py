"""Version-4 UUID text written from drawn bits is what the uuid module writes."""
import random
import uuid

from waveflow.local.uuids import uuid4_text


def test_uuid4_text_is_the_uuid_modules_text_for_any_bits():
    draws = random.Random(11)
    for bits in [0, (1 << 128) - 1, *(draws.getrandbits(128) for _ in range(5000))]:
        assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))
