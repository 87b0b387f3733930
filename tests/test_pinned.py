"""`--flashinfer pinned`: the repository's own requirement, read with packaging."""
from __future__ import annotations

from pathlib import Path

import pytest

from enumsync.model import EnumsyncError
from enumsync.pinned import find_pin


def _write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_pyproject_dependency_exact(tmp_path):
    _write(tmp_path, "pyproject.toml", '[project]\nname="x"\nversion="1"\ndependencies = [\n  "torch",\n  "flashinfer-python==0.6.12",\n]\n')
    pin = find_pin(tmp_path)
    assert pin.exact == "0.6.12"
    assert pin.sources == [("pyproject.toml:6", "flashinfer-python==0.6.12")]


def test_pyproject_extra_with_underscore_name_and_markers(tmp_path):
    _write(tmp_path, "pyproject.toml", '[project]\nname="x"\nversion="1"\n[project.optional-dependencies]\n'
           'cuda = ["flashinfer_python[cu12]==0.7.2 ; sys_platform == \'linux\'"]\n')
    assert find_pin(tmp_path).exact == "0.7.2"


def test_requirements_with_includes(tmp_path):
    _write(tmp_path, "requirements/common.txt", "numpy\n")
    _write(tmp_path, "requirements/cuda.txt", "-r common.txt\n# kernels\nflashinfer-python == 0.7.2.post1  # pinned for MoE\n")
    _write(tmp_path, "requirements.txt", "-r requirements/cuda.txt\n--extra-index-url https://example.invalid\n")
    pin = find_pin(tmp_path)
    assert pin.exact == "0.7.2.post1"
    assert pin.sources[0][0] == "requirements/cuda.txt:3"
    assert len(pin.sources) == 1          # cuda.txt read once although reached twice


def test_setup_cfg(tmp_path):
    _write(tmp_path, "setup.cfg", "[options]\ninstall_requires =\n    click\n    flashinfer-python>=0.6.9,<0.7\n")
    pin = find_pin(tmp_path)
    assert pin.exact is None and str(pin.specifier) == "<0.7,>=0.6.9"


def test_pins_are_intersected_and_disagreement_is_an_error(tmp_path):
    _write(tmp_path, "pyproject.toml", '[project]\nname="x"\nversion="1"\ndependencies=["flashinfer-python>=0.6"]\n')
    _write(tmp_path, "requirements.txt", "flashinfer-python==0.6.12\n")
    assert find_pin(tmp_path).exact == "0.6.12"
    _write(tmp_path, "requirements-dev.txt", "flashinfer-python==0.7.2\n")
    with pytest.raises(EnumsyncError, match="pins disagree"):
        find_pin(tmp_path)


def test_no_pin_and_unpinned_are_clear_errors(tmp_path):
    with pytest.raises(EnumsyncError, match="no requirement on flashinfer-python"):
        find_pin(tmp_path)
    _write(tmp_path, "requirements.txt", "flashinfer-python\n")
    with pytest.raises(EnumsyncError, match="without a version"):
        find_pin(tmp_path)


def test_missing_include_is_a_clear_error(tmp_path):
    _write(tmp_path, "requirements.txt", "-r nothere.txt\n")
    with pytest.raises(EnumsyncError, match="nothere.txt, which does not exist"):
        find_pin(tmp_path)


def test_presets_know_where_their_projects_pin(tmp_path):
    from enumsync.presets import get_preset
    _write(tmp_path, "python/pyproject.toml", '[project]\nname="sglang"\nversion="1"\ndependencies=["flashinfer_python==0.7.2"]\n')
    with pytest.raises(EnumsyncError):
        find_pin(tmp_path)
    assert find_pin(tmp_path, preset=get_preset("sglang")).exact == "0.7.2"


@pytest.mark.network
def test_pinned_in_a_temp_repo_selects_that_version(tmp_path):
    from enumsync.sources import resolve_flashinfer
    _write(tmp_path, "pyproject.toml", '[project]\nname="x"\nversion="1"\ndependencies=["flashinfer-python==0.6.12"]\n')
    fi = resolve_flashinfer("pinned", tmp_path)
    assert fi.version == "0.6.12"
    assert "pinned" in fi.selected and "pyproject.toml:4" in fi.selected
    assert "Sigmoid = 8" in fi.runner_h.read_text() and "TopKSigmoid" not in fi.runner_h.read_text()


@pytest.mark.network
def test_pinned_range_selects_newest_matching_and_says_which(tmp_path):
    from enumsync.sources import matching_versions, resolve_flashinfer
    _write(tmp_path, "requirements.txt", "flashinfer-python>=0.6.9,<0.6.10\n")
    fi = resolve_flashinfer("pinned", tmp_path)
    assert fi.version == matching_versions(">=0.6.9,<0.6.10")[0][-1] == "0.6.9"
    assert "newest release matching" in fi.selected and "requirements.txt:1" in fi.selected


# --- pins in every form real repositories use --------------------------------------------

def test_requirements_continuations_hashes_markers_and_includes(tmp_path):
    _write(tmp_path, "requirements/common.txt", "numpy==2.0 \\\n    --hash=sha256:0000\n")
    _write(tmp_path, "requirements/cuda.txt",
           "-r common.txt\n-c ../constraints.txt\n"
           "flashinfer_python[cu13]==0.7.2 ; sys_platform == 'linux' \\\n"
           "    --hash=sha256:1111 \\\n    --hash=sha256:2222\n")
    _write(tmp_path, "constraints.txt", "flashinfer-python<0.8\n")
    pin = find_pin(tmp_path)
    assert pin.exact == "0.7.2"
    where = dict(pin.sources)
    assert set(where) == {"requirements/cuda.txt:3", "constraints.txt:1"}
    assert "sys_platform" in where["requirements/cuda.txt:3"] and "--hash" not in where["requirements/cuda.txt:3"]


def test_dependency_groups_with_include_group(tmp_path):
    _write(tmp_path, "pyproject.toml", '[project]\nname = "x"\nversion = "1"\n\n[dependency-groups]\n'
           'kernels = ["Flashinfer.Python>=0.7,<0.8"]\ngpu = [{include-group = "kernels"}, "torch"]\n')
    pin = find_pin(tmp_path)
    assert pin.exact is None and str(pin.specifier) == "<0.8,>=0.7"
    assert pin.sources == [("pyproject.toml:6", "Flashinfer.Python>=0.7,<0.8")]


@pytest.mark.parametrize("name, text, line", [
    ("uv.lock", 'version = 1\n\n[[package]]\nname = "numpy"\nversion = "2.0"\n\n'
                '[[package]]\nname = "flashinfer-python"\nversion = "0.7.2"\n', 8),
    ("poetry.lock", '[[package]]\nname = "flashinfer-python"\nversion = "0.7.2"\ndescription = ""\n', 2),
    ("pylock.toml", 'lock-version = "1.0"\ncreated-by = "pip"\n\n[[packages]]\nname = "flashinfer-python"\n'
                    'version = "0.7.2"\n', 5),
])
def test_lock_file_exact_version_beats_a_range(tmp_path, name, text, line):
    _write(tmp_path, "pyproject.toml", '[project]\nname="x"\nversion="1"\ndependencies=["flashinfer-python>=0.6"]\n')
    _write(tmp_path, name, text)
    pin = find_pin(tmp_path)
    assert pin.exact == "0.7.2" and pin.where == f"{name}:{line}"
    assert str(pin.specifier) == ">=0.6"


def test_lock_file_outside_the_range_is_a_clear_error(tmp_path):
    _write(tmp_path, "pyproject.toml", '[project]\nname="x"\nversion="1"\ndependencies=["flashinfer-python>=0.8"]\n')
    _write(tmp_path, "uv.lock", '[[package]]\nname = "flashinfer-python"\nversion = "0.7.2"\n')
    with pytest.raises(EnumsyncError, match="uv.lock:2 locks flashinfer-python 0.7.2, outside >=0.8"):
        find_pin(tmp_path)


def test_unreadable_flashinfer_line_in_requirements_is_an_error(tmp_path):
    _write(tmp_path, "requirements.txt", "flashinfer-python=0.7.2\n")
    with pytest.raises(EnumsyncError, match=r"requirements.txt:1: cannot read the requirement"):
        find_pin(tmp_path)


def test_every_toml_read_works_without_tomllib(tmp_path):
    """Python 3.10 has no tomllib: config, pins, lock files and detection all go through tomli."""
    import subprocess
    import sys
    _write(tmp_path, "python/pyproject.toml", '[project]\nname = "sglang"\nversion = "1"\n'
           'dependencies = ["flashinfer_python>=0.7"]\n[dependency-groups]\ndev = ["pytest"]\n'
           '[tool.enumsync]\nflashinfer = "pinned"\n')
    _write(tmp_path, "python/uv.lock", '[[package]]\nname = "flashinfer-python"\nversion = "0.7.2"\n')
    _write(tmp_path, "python/sglang/srt/layers/moe/utils.py", "class RoutingMethodType: pass\n")
    code = (
        "import sys; sys.modules['tomllib'] = None\n"
        "from pathlib import Path\n"
        "from enumsync.config import load_config\n"
        "from enumsync.pinned import find_pin\n"
        "from enumsync.presets import detect_project, get_preset\n"
        f"root = Path({str(tmp_path)!r})\n"
        "cfg = load_config(None, root / 'python')\n"
        "pin = find_pin(root, get_preset('sglang'))\n"
        "d = detect_project(root / 'python' / 'sglang')\n"
        "assert 'tomli' in sys.modules\n"
        "print(cfg.flashinfer, pin.exact, d.preset.name, d.root == root)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["pinned", "0.7.2", "sglang", "True"]


def test_only_tomlfile_imports_a_toml_parser():
    from conftest import ROOT
    users = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "enumsync").rglob("*.py")
                   if "import tomllib" in p.read_text() or "import tomli" in p.read_text())
    assert users == ["enumsync/tomlfile.py"]
