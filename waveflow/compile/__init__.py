"""DSL graph -> ASL, checked and linted; the build pipeline that writes ``build/``."""
from .pipeline import build, compile_project
from .problems import BuildError, Problem

__all__ = ["BuildError", "Problem", "build", "compile_project"]
