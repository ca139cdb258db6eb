"""The package as users reach it: imported from a fresh interpreter with
analysis/ on the path, its command lines run as `python3 -m migrasim.X`, and
the old scripts in analysis/ kept as wrappers."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3" if pathlib.Path("/usr/bin/python3").exists() else sys.executable
ENTRY_POINTS = ["migrasim.compare", "migrasim.sensitivity", "migrasim.equivalence", "migrasim.fit",
                "migrasim.summary"]
WRAPPERS = ["compare.py", "sensitivity.py", "equivalence.py", "fit_baseline.py", "migrasim_output.py"]
HEAVY = ["numpy", "pandas", "xarray", "scipy", "matplotlib", "h5py"]


def python(*args, cwd=ROOT, pythonpath=None):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([PYTHON, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_importing_the_package_loads_nothing_heavy():
    done = python("-c", f"import sys, migrasim; print(migrasim.__file__); "
                        f"print(sorted(set({HEAVY!r}) & set(sys.modules)))", pythonpath="analysis")
    assert done.returncode == 0, done.stderr
    path, loaded = done.stdout.splitlines()
    assert pathlib.Path(path) == ROOT / "analysis" / "migrasim" / "__init__.py"
    assert loaded == "[]"


@pytest.mark.parametrize("how", ["PYTHONPATH", "sys.path"])
def test_every_module_imports_from_a_fresh_interpreter(how):
    modules = ["migrasim.io", "migrasim.windows", *ENTRY_POINTS]
    code = "; ".join(f"import {m}" for m in modules) + "; print(migrasim.compare.compare.__module__)"
    if how == "sys.path":
        done = python("-c", "import sys; sys.path.append('analysis'); " + code)
    else:
        done = python("-c", code, pythonpath="analysis")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "migrasim.compare.comparison"


@pytest.mark.parametrize("module", ENTRY_POINTS)
@pytest.mark.parametrize("where", ["analysis", "PYTHONPATH"])
def test_module_entry_points_print_their_help(module, where):
    if where == "analysis":
        done = python("-m", module, "--help", cwd=ROOT / "analysis")
    else:
        done = python("-m", module, "--help", pythonpath="analysis")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python3 -m {module} ")


@pytest.mark.parametrize("script", WRAPPERS)
def test_old_scripts_print_their_help_from_anywhere(script, tmp_path):
    done = python(ROOT / "analysis" / script, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {script} ")


def test_old_scripts_still_import_with_their_names():
    code = ("import sys; sys.path.insert(0, 'analysis'); "
            "import compare, sensitivity, equivalence, fit_baseline, migrasim_output, migrasim.compare; "
            "assert compare.compare is migrasim.compare.compare; "
            "assert sensitivity.sobol_indices and equivalence.welch and fit_baseline.fit_table; "
            "assert migrasim_output.window_totals and migrasim_output.open_run and migrasim_output.summary_rows")
    done = python("-c", code)
    assert done.returncode == 0, done.stderr
