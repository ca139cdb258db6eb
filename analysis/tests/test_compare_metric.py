"""compare --metric NAME[@PLACE]: any series of the run files, a scalar one or one
place of a series on a node, edge, checkpoint or network axis, in every table."""
import numpy as np
import pandas as pd
import pytest

from migrasim import compare
from migrasim.compare import cli, report
from test_compare_report import REPLICATES, write_route_run

R = np.arange(REPLICATES, dtype=float) + 1.0      # every synthetic series is a multiple of replicate + 1
DEATHS = "edge_deaths@hub->jungle"                # 0.5 * r per step in the baseline (per_edge == 5)
ARRIVALS = "node_arrivals@jungle"                 # 5 * r per step
STOCK = "node_stock@border"                       # arrivals at border summed over time: 7 * r * (t + 1)
PARTICLES = [0, 0, 1, 1]


@pytest.fixture
def runs(tmp_path):
    return (write_route_run(tmp_path / "base.h5", "baseline", particle=PARTICLES),
            write_route_run(tmp_path / "policy.h5", "policy", scale=0.5, particle=PARTICLES))


def test_selected_series_are_reduced_over_the_window_with_known_values(runs):
    # 2023-01-01 .. 2023-01-10: steps 0..9. Flows summed, the stock read at step 9.
    c = compare.compare(runs, "2023-01-01", "2023-01-10",
                        metrics=[DEATHS, ARRIVALS, STOCK, "checkpoint_apprehensions@patrol",
                                 "network_clients@guides", "deaths"])
    assert c.metrics()[-5:] == [DEATHS, ARRIVALS, STOCK, "checkpoint_apprehensions@patrol",
                                "network_clients@guides"]
    base, policy = c.outcomes
    np.testing.assert_allclose(base[DEATHS], 10 * 0.5 * R)
    np.testing.assert_allclose(policy[DEATHS], 0.5 * 10 * 0.5 * R)
    np.testing.assert_allclose(base[ARRIVALS], 10 * 5 * R)
    np.testing.assert_allclose(base[STOCK], 10 * 7 * R)
    np.testing.assert_allclose(base["checkpoint_apprehensions@patrol"], 10 * 2 * R)
    np.testing.assert_allclose(base["network_clients@guides"], 10 * 1.5 * R)
    np.testing.assert_allclose(c.differences[("policy", DEATHS)], -0.5 * 10 * 0.5 * R)
    assert c.reduction(STOCK) == "last" and c.reduction(DEATHS) == "sum"
    assert c.units(DEATHS) == "persons" and c.units(STOCK) == "persons"
    assert c.summary[("baseline", ARRIVALS)][0] == np.median(50 * R)


def test_selected_series_appear_in_every_table_and_the_csv(runs):
    c = compare.compare(runs, metrics=[DEATHS, STOCK])
    text = report.report_text(c)
    assert text.count(DEATHS) >= 3            # outcomes, paired differences, posterior split
    assert f"flows summed, asylum_backlog, {STOCK} at the end" in text
    for table in (report.summary_table(c), report.difference_table(c)):
        assert DEATHS in [row[0] for row in table[1]]
    from migrasim.compare.posterior import split_table
    assert DEATHS in [row[0] for row in split_table(c, c.posterior)[1]]
    assert ("policy", DEATHS) in c.posterior.below_zero
    t = report.tidy(c)
    def value(scenario, metric, statistic):
        return t[(t.scenario == scenario) & (t.metric == metric) & (t.statistic == statistic)].value.item()
    # Over the whole run (200 steps): baseline 100 r, the policy half of it.
    assert value("baseline", DEATHS, "median") == np.median(100 * R)
    assert value("policy", DEATHS, "diff_median") == np.median(-50 * R)
    assert value("policy", DEATHS, "diff_p05") == np.percentile(-50 * R, 5)
    assert value("baseline", STOCK, "median") == np.median(200 * 7 * R)


def test_cli_metric_option_reaches_the_csv_and_the_html(runs, tmp_path, capsys):
    csv, page = tmp_path / "t.csv", tmp_path / "r.html"
    rc = cli.main([str(runs[0]), str(runs[1]), "--metric", DEATHS, "--metric", "node_arrivals @ jungle",
                   "--metric", DEATHS, "--csv", str(csv), "--html", str(page)])
    assert rc == 0
    out = capsys.readouterr().out
    assert DEATHS in out and ARRIVALS in out
    t = pd.read_csv(csv)
    assert set(t.metric) >= {DEATHS, ARRIVALS}
    assert (t[t.metric == ARRIVALS].statistic == "median").sum() == 2
    text = page.read_text()
    assert "edge deaths@hub-&gt;jungle" in text or "edge_deaths@hub-&gt;jungle" in text


def test_without_metric_nothing_changes(runs):
    a, b = compare.compare(runs), compare.compare(runs, metrics=[])
    assert a.metrics() == b.metrics() == [m for m in compare.METRICS]
    assert report.report_text(a) == report.report_text(b)


def test_a_scalar_series_outside_the_headline_list(tmp_path):
    from test_compare import write_run, window_flow, W_START, W_END
    base = write_run(tmp_path / "b.h5", {"departures": window_flow([10, 20, 30, 40, 50])}, name="baseline")
    scen = write_run(tmp_path / "s.h5", {"departures": window_flow([9, 18, 27, 36, 45])}, name="other")
    c = compare.compare([base, scen], W_START, W_END, metrics=["departures"])
    np.testing.assert_allclose(c.outcomes[0]["departures"], [10, 20, 30, 40, 50])
    np.testing.assert_allclose(c.differences[("other", "departures")], [-1, -2, -3, -4, -5])
    assert c.metrics()[-1] == "departures"


@pytest.mark.parametrize("spec, message", [
    ("no_such_series", "the run has no series 'no_such_series'"),
    ("edge_deaths", "edge_deaths has an edge axis: say which edge with --metric edge_deaths@EDGE"),
    ("edge_deaths@hub->nowhere", "edge_deaths: the run has no edge named 'hub->nowhere'"),
    ("node_arrivals@atlantis", "node_arrivals: the run has no node named 'atlantis'"),
    ("deaths@hub", "deaths has no node, edge, checkpoint or network axis: drop '@hub'"),
    ("edge_deaths@", "expected NAME or NAME@PLACE"),
])
def test_metric_errors_exit_2_naming_the_file(runs, capsys, spec, message):
    rc = cli.main([str(runs[0]), str(runs[1]), "--metric", spec])
    assert rc == 2
    err = capsys.readouterr().err
    assert message in err
    if "expected" not in message:
        assert str(runs[0]) in err


def test_a_place_missing_from_a_later_file_names_that_file(tmp_path):
    base = write_route_run(tmp_path / "base.h5", "baseline")
    other = write_route_run(tmp_path / "other.h5", "other", edges=False)
    with pytest.raises(compare.CompareError, match=f"{other}: the run has no series 'edge_deaths'"):
        compare.compare([base, other], metrics=[DEATHS])


def test_loaded_runs_are_left_as_they_were(runs):
    loaded = [compare.load_run(p) for p in runs]
    compare.compare(loaded, metrics=[DEATHS])
    assert DEATHS not in loaded[0].series
