"""waveflow: Airflow-style workflows for server migrations to AWS.

Write workflows with ``waveflow.dsl``; ``waveflow.compile.build`` turns them into Step Functions ASL and the
build manifest; ``waveflow.local`` runs the compiled ASL on a virtual clock against local AWS.
"""
from .compile import BuildError, Problem, build, compile_project
from .dsl import *  # noqa: F401,F403  (the authoring API is waveflow's public API)
from .dsl import __all__ as _dsl_all

__all__ = ["BuildError", "Problem", "build", "compile_project", *_dsl_all]
