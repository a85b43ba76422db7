"""Every state name of an ASL document, found by walking its JSON, independently of waveflow.graph: what the graph
and the run report must draw. A module of its own, so both suites import it by a name no other file has."""
from __future__ import annotations


def asl_names(body: dict) -> list[str]:
    """Every state name of an ASL document, found by walking its JSON (independently of waveflow.graph)."""
    names = []
    for name, state in body["States"].items():
        names.append(name)
        for branch in state.get("Branches", []):
            names += asl_names(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                names += asl_names(state[key])
    return names
