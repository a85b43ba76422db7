"""waveflow: Airflow-style workflows for server migrations to AWS.

Write workflows with ``waveflow.dsl``; ``waveflow.compile.build`` turns them into Step Functions ASL and the
build manifest; ``waveflow.local`` runs the compiled ASL on a virtual clock against local AWS.

The names below are imported on first use (PEP 562), so ``waveflow exec`` and the pytest plugin, which only
need ``waveflow.local``, do not pay for the compiler, statelint and the DSL at start-up.
"""
from importlib import import_module

_COMPILE_NAMES = ("BuildError", "Problem", "build", "compile_project")


def __getattr__(name: str):
    if name in _COMPILE_NAMES:
        return getattr(import_module(".compile", __name__), name)
    dsl = import_module(".dsl", __name__)
    if name == "__all__":
        return [*_COMPILE_NAMES, *dsl.__all__]
    if name in dsl.__all__:
        return getattr(dsl, name)
    raise AttributeError(f"module 'waveflow' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})
