"""What a file says about itself is what the analysis does: member_status meanings
come from flag_values and flag_meanings, flow or stock from cell_methods, units
from units; missing attributes are reported, not guessed silently. The files are
written with h5py, with attributes a real run or sweep would not have."""
import pathlib

import h5py
import numpy as np
import pytest

from migrasim import compare, fit, sensitivity, summary, windows
from migrasim.io import MissingAttributeWarning, open_run

DAYS = 62   # 2023-01-01 .. 2023-03-03
FLOW = {"units": "persons per step", "cell_methods": "time: sum"}
STOCK = {"units": "persons", "cell_methods": "time: point"}


def write_run(path, variables, replicates=3, name="run", nodes=None):
    """A run file: `variables` maps a name to (values (replicate, time[, node]), attributes)."""
    with h5py.File(path, "w") as f:
        replicate = f.create_dataset("replicate", data=np.arange(replicates, dtype=float))
        replicate.make_scale("replicate")
        time = f.create_dataset("time", data=np.arange(DAYS, dtype=float))
        time.make_scale("time")
        time.attrs.update({"units": "days since 2023-01-01", "calendar": "proleptic_gregorian",
                           "step_days": 1.0})
        scales = [replicate, time]
        if nodes:
            node = f.create_dataset("node", data=np.array(nodes, dtype=h5py.string_dtype()))
            node.make_scale("node")
            scales.append(node)
        for key, (values, attrs) in variables.items():
            var = f.create_dataset(key, data=np.asarray(values, dtype=float))
            for axis in range(var.ndim):
                var.dims[axis].attach_scale(scales[axis])
            var.attrs.update(attrs)
        f.attrs.update({"scenario_name": name, "seed": np.uint64(1), "step_days": 1.0})
    return pathlib.Path(path)


def ramp(replicates=3, scale=1.0):
    """Values 1, 2, ..., DAYS times (replicate + 1) times scale: sum and last differ."""
    return scale * np.outer(np.arange(1, replicates + 1), np.arange(1, DAYS + 1, dtype=float))


def test_cell_methods_decide_flow_or_stock_not_the_series_name(tmp_path):
    # Swapped on purpose: encounters as a stock, the backlog as a flow.
    path = write_run(tmp_path / "swapped.h5", {"border_encounters": (ramp(), STOCK),
                                               "asylum_backlog": (ramp(), FLOW)})
    with open_run(path) as ds:
        totals = windows.window_totals(ds)
    np.testing.assert_array_equal(totals["border_encounters"], ramp()[:, -1])
    np.testing.assert_array_equal(totals["asylum_backlog"], ramp().sum(axis=1))
    c = compare.compare([path])
    np.testing.assert_array_equal(c.outcomes[0]["border_encounters"], ramp()[:, -1])
    np.testing.assert_array_equal(c.outcomes[0]["asylum_backlog"], ramp().sum(axis=1))
    assert c.stocks() == ["border_encounters"]
    assert "border_encounters at the end" in compare.report_text(c)
    monthly = compare.monthly(c.runs[0], c.window.indices[0], "border_encounters")
    np.testing.assert_array_equal(monthly.iloc[0].values, ramp()[:, 30])   # 31 January, not the sum


@pytest.mark.parametrize("attrs, expected", [({"units": "persons"}, "no cell_methods"),
                                             ({"cell_methods": "time: mean"}, "cell_methods 'time: mean'")])
def test_a_series_without_a_known_cell_methods_warns_and_is_read_as_a_stock(tmp_path, attrs, expected):
    path = write_run(tmp_path / "bare.h5", {"border_encounters": (ramp(), attrs)})
    with open_run(path) as ds, pytest.warns(MissingAttributeWarning, match=expected):
        totals = windows.window_totals(ds)
    np.testing.assert_array_equal(totals["border_encounters"], ramp()[:, -1])


def test_command_lines_print_missing_attributes_as_warnings(tmp_path, capsys):
    path = write_run(tmp_path / "bare.h5", {"border_encounters": (ramp(), {"units": "persons per step"})})
    assert summary.main([str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("migrasim_output.py: warning: border_encounters has no cell_methods") == 1
    assert "border_encounters" in captured.out


def test_units_come_from_the_file(tmp_path, capsys):
    cost = {"units": "EUR per step", "cell_methods": "time: sum"}
    base = write_run(tmp_path / "base.h5", {"border_encounters": (ramp(), FLOW), "deaths": (ramp(), FLOW),
                                            "intervention_cost_usd": (0 * ramp(), cost)}, name="base")
    policy = write_run(tmp_path / "policy.h5", {"border_encounters": (ramp(), FLOW),
                                                "deaths": (ramp(scale=0.5), FLOW),
                                                "intervention_cost_usd": (ramp(), cost)}, name="policy")
    assert compare.main([str(base), str(policy)]) == 0
    out = capsys.readouterr().out
    assert "EUR per death averted" in out and "extra cost (EUR)" in out and "USD" not in out
    assert summary.main([str(policy)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("intervention_cost_usd"))
    assert line.endswith("  EUR")   # a sum over the window of EUR per step


def test_fit_needs_flows(tmp_path, capsys):
    arrivals = np.zeros((2, DAYS, 2))
    path = write_run(tmp_path / "fit.h5", {"border_encounters": (ramp(2), FLOW),
                                           "node_arrivals": (arrivals, STOCK)},
                     replicates=2, nodes=["panama_reception", "elsewhere"])
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  - {name: crossings, series: node_arrivals, at: {node: panama_reception},"
                       " window: {month: 2023-01}, reduce: sum, observed: 10, error: {sd: 1}}\n")
    assert fit.main([str(path), "--targets", str(targets)]) == 2
    assert "node_arrivals is not a flow" in capsys.readouterr().err


def write_sweep(path, status, attrs, outputs=None, time_attrs=None):
    """A latin_hypercube sweep of one parameter x, output y = x (member, replicate),
    with member_status `status` carrying `attrs`."""
    m = len(status)
    x = np.linspace(0.0, 1.0, m)
    with h5py.File(path, "w") as f:
        member = f.create_dataset("member", data=np.arange(m, dtype=float))
        member.make_scale("member")
        replicate = f.create_dataset("replicate", data=np.arange(2, dtype=float))
        replicate.make_scale("replicate")
        time = f.create_dataset("time", data=np.arange(4, dtype=float))
        time.make_scale("time")
        time.attrs["units"] = "days since 2023-01-01"
        var = f.create_dataset("x", data=x)
        var.dims[0].attach_scale(member)
        var.attrs.update({"distribution": "uniform", "lower": 0.0, "upper": 1.0, "units": "1"})
        y = f.create_dataset("y", data=np.column_stack([x, x]) + np.array([0.0, 0.1]))
        y.dims[0].attach_scale(member)
        y.dims[1].attach_scale(replicate)
        y.attrs.update({"units": "persons", "cell_methods": "time: sum", "reduce": "sum"})
        kept = f.create_dataset("kept", data=np.arange(m * 2 * 4, dtype=float).reshape(m, 2, 4))
        for axis, scale in enumerate((member, replicate, time)):
            kept.dims[axis].attach_scale(scale)
        kept.attrs.update(time_attrs or FLOW)
        st = f.create_dataset("member_status", data=np.asarray(status, dtype=float))
        st.dims[0].attach_scale(member)
        st.attrs.update(attrs)
        f.attrs.update({"design": "latin_hypercube", "parameters": "x", "outputs": outputs or "y kept",
                        "seed": 3})
    return pathlib.Path(path)


def test_member_status_meanings_come_from_flag_values_and_flag_meanings(tmp_path):
    attrs = {"flag_values": np.array([10.0, 20.0, 30.0]), "flag_meanings": "failed finished not_run"}
    status = [20, 20, 10, 20, 30, 20, 99, 20, 20, 20]
    sweep = sensitivity.load_sweep(write_sweep(tmp_path / "s.h5", status, attrs))
    assert list(sweep.status) == ["finished", "finished", "failed", "finished", "not_run", "finished",
                                  "status 99", "finished", "finished", "finished"]
    np.testing.assert_array_equal(sweep.finished, np.asarray(status) == 20)
    result = sensitivity.analyze(sweep, bootstrap=0)[0]
    assert result.used == 7
    assert result.dropped == {"failed": 1, "not run": 1, "status 99": 1}


def test_member_status_without_flag_values_warns_and_takes_the_meanings_in_order(tmp_path):
    path = write_sweep(tmp_path / "s.h5", [1, 1, 2, 1, 0, 1, 1, 1], {"flag_meanings": "not_run finished failed"})
    with pytest.warns(MissingAttributeWarning, match="no flag_values"):
        sweep = sensitivity.load_sweep(path)
    assert list(sweep.status[2:5]) == ["failed", "finished", "not_run"]


@pytest.mark.parametrize("attrs, expected", [
    ({}, "member_status has no flag_meanings"),
    ({"flag_values": np.array([0.0, 1.0]), "flag_meanings": "not_run ok"}, "no 'finished' among its flag_meanings"),
    ({"flag_values": np.array([0.0, 1.0]), "flag_meanings": "not_run finished failed"}, "2 flag_values but 3"),
])
def test_member_status_that_cannot_be_read_is_an_input_error(tmp_path, capsys, attrs, expected):
    path = write_sweep(tmp_path / "s.h5", [1, 1, 1, 1, 1], attrs)
    assert sensitivity.main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sensitivity.py: error:") and expected in err


@pytest.mark.parametrize("time_attrs, how, units", [(FLOW, "sum", "persons"),
                                                    (STOCK, "last", "persons"),
                                                    ({"units": "persons per step"}, "last", "persons per step")])
def test_outputs_kept_over_time_are_reduced_as_their_cell_methods_say(tmp_path, time_attrs, how, units):
    attrs = {"flag_values": np.array([0.0, 1.0]), "flag_meanings": "not_run finished"}
    path = write_sweep(tmp_path / "s.h5", [1] * 5, attrs, outputs="kept", time_attrs=time_attrs)
    data = np.arange(5 * 2 * 4, dtype=float).reshape(5, 2, 4)
    if "cell_methods" in time_attrs:
        sweep = sensitivity.load_sweep(path)
    else:
        with pytest.warns(MissingAttributeWarning, match="kept has no cell_methods"):
            sweep = sensitivity.load_sweep(path)
    expected = windows.reduce_time(data, how, axis=2).mean(axis=1)
    np.testing.assert_array_equal(sweep.outputs["kept"].values, expected)
    assert sweep.outputs["kept"].units == units
    assert sensitivity.load_sweep(path, time_reduce="mean").outputs["kept"].values == pytest.approx(
        data.mean(axis=2).mean(axis=1))
