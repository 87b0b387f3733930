"""Files read outside the enum parsers (scan's index, model folders, pins, presets) follow the same
reading rules: PEP 263 for Python, one line and exit 2 for what cannot be read, never an internal error."""
from __future__ import annotations

import os

import pytest

from conftest import run_cli

LATIN1 = (b"# -*- coding: latin-1 -*-\nfrom enum import IntEnum\n\n\nclass Mode(IntEnum):\n"
          b'    """Keep the values in sync with mode.h"""\n    A = 0  # caf\xe9\n    B = 1\n')


def test_scan_reads_a_latin1_mirror_by_its_coding_line(tmp_path):
    (tmp_path / "m.py").write_bytes(LATIN1)
    (tmp_path / "mode.h").write_text("enum class Mode : int { A = 0, B = 2 };\n")
    r = run_cli("scan", str(tmp_path), "--format", "concise")
    assert r.returncode == 1, r.stderr
    assert "m.py:8: ES001 value-mismatch: B is 1 in Python but 2 in C++" in r.stdout
    assert "internal error" not in r.stderr


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_models_names_a_path_that_is_not_a_regular_file(tmp_path, kind):
    path = "/dev/zero" if kind == "device" else str(tmp_path / "fifo.py")
    if kind == "fifo":
        os.mkfifo(path)
    r = run_cli("models", path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"enumsync: error: {path}: is not a regular file (a device, FIFO or socket); "
        "pass Python files or folders of model code"]


def test_models_reads_a_latin1_model_file(tmp_path):
    (tmp_path / "model.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom x import RoutingMethodType\n# caf\xe9\n"
        b"routing_method_type = RoutingMethodType.DeepSeekV3\n")
    r = run_cli("models", str(tmp_path), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"DeepSeekV3"' in r.stdout


def test_a_requirements_file_that_is_not_utf8_is_one_line(tmp_path):
    (tmp_path / "requirements.txt").write_bytes(b"flashinfer-python==0.7.2  # caf\xe9\n")
    r = run_cli("check", "--flashinfer", "pinned", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"enumsync: error: {tmp_path / 'requirements.txt'}: not UTF-8 text (byte 31); "
        "fix it, or pass --flashinfer VERSION"]
