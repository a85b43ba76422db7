"""Two runs of one conversation with moto's answers made comparable: the runs happen seconds apart."""
from __future__ import annotations

import datetime
import re

TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[.\d]*|^\d{10}(\d{3}|\.\d+)?$")  # ISO, epoch (s, ms)


def comparable(answer):
    """``answer`` without its ResponseMetadata (request IDs, dates) and with each time replaced by a mark (a
    ``datetime`` by one naming its time zone's type)."""
    if isinstance(answer, dict):
        return {key: comparable(value) for key, value in answer.items() if key != "ResponseMetadata"}
    if isinstance(answer, list):
        return [comparable(value) for value in answer]
    if isinstance(answer, str):
        return TIME.sub("<time>", answer)
    if isinstance(answer, datetime.datetime):
        return f"<time {type(answer.tzinfo).__name__}>"
    return answer
