"""analysis/equivalence.py: runs with independent random numbers of the same
model pass; a changed model is flagged; bad input exits 2."""
import subprocess

import equivalence

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
