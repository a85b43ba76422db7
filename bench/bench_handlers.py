"""``--handler Count=bench_handlers:count`` for ``waveflow exec`` runs of the peer documents."""
from documents import count  # noqa: F401  (the handler waveflow exec imports by name)
