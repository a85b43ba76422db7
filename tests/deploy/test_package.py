"""The code package: deterministic, content-addressed, Linux wheels beside tasks/, no bytecode."""
from __future__ import annotations

import io
import zipfile

from waveflow.deploy.package import Packager


def test_the_same_sources_give_the_same_bytes_and_key(deployment, tmp_path):
    first = deployment.packager.package(deployment.project)
    second = Packager(deployment.packager.pip_options, cache=tmp_path).package(deployment.project)
    assert first.data == second.data and first.key == second.key


def test_the_package_holds_the_tasks_and_their_wheels_with_fixed_times_and_modes(deployment):
    archive = zipfile.ZipFile(io.BytesIO(deployment.packager.package(deployment.project).data))
    names = archive.namelist()
    assert names == sorted(names)
    assert "tasks/ingress.py" in names and "tasks/lib/schemas/tables.json" in names
    assert "tinydep/__init__.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith("bin/")]
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in archive.infolist()} == {0o644}


def test_a_code_change_is_a_new_key(deployment):
    before = deployment.packager.package(deployment.project)
    module = deployment.project / "tasks" / "wave_summary.py"
    original = module.read_text()
    module.write_text(original + "\n")
    try:
        after = deployment.packager.package(deployment.project)
    finally:
        module.write_text(original)
    assert after.key != before.key
