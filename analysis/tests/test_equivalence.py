"""migrasim.equivalence: runs with independent random numbers of the same
model pass; a changed model is flagged; bad input exits 2."""
import subprocess

from migrasim import equivalence

from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny.yaml"


def run(binary, out, seed, *sets):
    args = [str(binary), "run", str(TINY), "-o", str(out), "--replicates", "12", "--quiet",
            "--seed", str(seed)]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True)
    return out


def test_independent_runs_of_the_same_model_agree(tmp_path, migrasim_binary, capsys):
    before = run(migrasim_binary, tmp_path / "a.h5", 1)
    after = run(migrasim_binary, tmp_path / "b.h5", 2)
    assert equivalence.main([str(before), str(after), "--csv", str(tmp_path / "t.csv")]) == 0
    out = capsys.readouterr().out
    assert "0 differ" in out
    assert (tmp_path / "t.csv").read_text().startswith("window,series,")


def test_a_changed_model_is_flagged(tmp_path, migrasim_binary, capsys):
    before = run(migrasim_binary, tmp_path / "a.h5", 1)
    after = run(migrasim_binary, tmp_path / "b.h5", 2, "decisions.base_rate_per_day=0.006")
    assert equivalence.main([str(before), str(after)]) == 1
    flagged = [line for line in capsys.readouterr().out.splitlines() if "<-- differs" in line]
    assert any(" new_aspirants " in line for line in flagged)


def test_bad_input_exits_two(tmp_path, capsys):
    assert equivalence.main([str(tmp_path / "missing.h5"), str(tmp_path / "missing.h5")]) == 2
    assert "equivalence.py:" in capsys.readouterr().err


def synthetic_run(path, values, cell_methods="time: sum"):
    """A file with one series (a flow by default) of the given (replicate x time) values."""
    import numpy as np
    import pandas as pd
    import xarray as xr
    values = np.asarray(values, dtype=float)
    ds = xr.Dataset(
        {"x": (("replicate", "time"), values, {"cell_methods": cell_methods} if cell_methods else {})},
        coords={"replicate": np.arange(values.shape[0]),
                "time": pd.date_range("2022-01-01", periods=values.shape[1])})
    ds.to_netcdf(path)
    return path


def test_nothing_to_compare_is_bad_input(tmp_path, capsys):
    # A series equal in every replicate of both files leaves no test.
    constant = synthetic_run(tmp_path / "c.h5", [[1, 2], [1, 2], [1, 2]])
    assert equivalence.main([str(constant), str(constant)]) == 2
    assert "no series to compare" in capsys.readouterr().err


def test_nan_totals_are_bad_input(tmp_path, capsys):
    # A stock, read at the window's last step.
    good = synthetic_run(tmp_path / "g.h5", [[1, 2], [2, 2], [1, 3]], cell_methods=None)
    bad = synthetic_run(tmp_path / "n.h5", [[1, 2], [2, float("nan")], [1, 3]], cell_methods=None)
    assert equivalence.main([str(good), str(bad)]) == 2
    assert "not finite" in capsys.readouterr().err


def test_detectable_difference_is_reported(tmp_path, migrasim_binary, capsys):
    before = run(migrasim_binary, tmp_path / "a.h5", 1)
    after = run(migrasim_binary, tmp_path / "b.h5", 2)
    assert equivalence.main([str(before), str(after)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if " new_aspirants " in line]
    assert rows and rows[0].rstrip().endswith("%")
