"""Cost ranges with sourced unit costs and downstream costs, on the synthetic
run files of test_compare_posterior.py: exact ranges, each kind of bad costs
file (exit 2 with its position), and the shipped costs file against the policy
scenarios."""
import pathlib
import subprocess
import sys

import pytest
import yaml

from migrasim import compare
from migrasim.compare import costs as costs_module
from test_compare_posterior import three_runs  # noqa: F401 (a fixture)

ROOT = pathlib.Path(__file__).resolve().parents[2]


COSTS = """\
interventions:
  alpha:
    cost_usd_per_day: {low: 80, central: 100, high: 150}
    source: a budget
  beta:
    cost_usd_per_day: {central: 50}
    source: none found
downstream:
  removal:
    series: removed
    usd_per_person: {low: 10, central: 20, high: 30}
    source: a report
"""


def test_cost_ranges_add_downstream_costs_and_take_each_items_ends(tmp_path, three_runs):
    path = tmp_path / "costs.yaml"
    path.write_text(COSTS)
    c = compare.compare(list(three_runs), costs=path)
    rows = {(r["scenario"], r["metric"]): r for r in c.costs.rows}
    a = rows[("policy_a", "deaths")]
    # alpha in force 10 days: 800, 1,000, 1,500; 10 fewer removals: -300 .. -100, central -200.
    assert a["intervention"] == [800, 1000, 1500]
    assert a["downstream"] == [-100, -200, -300]
    assert a["net"] == [500, 800, 1400]
    assert a["effect"] == 4.0                           # median of 11 .. -3 deaths averted
    assert a["per_unit"] == [125, 200, 350]
    b = rows[("policy_b", "deaths")]
    assert b["net"] == [1000, 1000, 1000] and b["per_unit"] == [250, 250, 250]
    assert any("no sourced cost range for: beta" in n for n in c.costs.notes)
    text = compare.report_text(c)
    assert "Cost ranges" in text and "Unit costs and their sources" in text and "a report" in text
    from migrasim.compare import page
    html = costs_module.costs_html(c, c.costs, page._html_table)
    assert "<table>" in html and "no sourced cost range for: beta" in html


@pytest.mark.parametrize("text, message", [
    (COSTS.replace("central: 100", "centre: 100"), "costs.yaml:3:33: interventions.alpha.cost_usd_per_day.centre: "
                                                  "unknown key (allowed here: central high low)"),
    (COSTS.replace("low: 80", "low: 120"), "costs.yaml:3:23: interventions.alpha.cost_usd_per_day: expected low <= "
                                            "central <= high, got 120, 100, 150"),
    (COSTS.replace("{low: 10, ", "{"), "costs.yaml:11:21: downstream.removal.usd_per_person: give both low and high"),
    (COSTS.replace("high: 30", "high: lots"), "costs.yaml:11:50: downstream.removal.usd_per_person.high: expected a "
                                              "number, got 'lots'"),
    (COSTS.replace("    source: a report\n", ""), "costs.yaml:10:5: downstream.removal: missing key 'source'"),
    (COSTS.replace("low: 10,", "low: -10,"), "downstream.removal.usd_per_person.low: expected a finite number >= 0"),
    (COSTS.replace("series: removed", "series: removals"), "costs.yaml:10:13: downstream.removal.series: "),
    (COSTS.replace("central: 100", "central: 90").replace("low: 80", "low: 70"),
     "interventions.alpha.cost_usd_per_day.central: 90 differs from the scenario's cost_usd_per_day 100"),
])
def test_a_bad_costs_file_exits_2_with_its_position(tmp_path, three_runs, text, message):
    path = tmp_path / "costs.yaml"
    path.write_text(text)
    with pytest.raises(compare.CompareError) as error:
        compare.compare(list(three_runs), costs=path)
    assert message in str(error.value)
    if "series" in message:
        assert "base.h5 has no series 'removals' on (replicate, time)" in str(error.value)
    if message.startswith("costs.yaml"):
        assert str(error.value).startswith(str(tmp_path / message.split(":")[0]))


def test_the_command_line_exits_2_on_a_bad_costs_file(tmp_path, three_runs):
    path = tmp_path / "costs.yaml"
    path.write_text(COSTS.replace("low: 80", "low: 120"))
    done = subprocess.run([sys.executable, str(ROOT / "analysis" / "compare.py"), *three_runs, "--costs", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and f"{path}:3:23: interventions.alpha.cost_usd_per_day: expected low" in done.stderr


def test_shipped_costs_file_matches_the_policy_scenarios():
    costs = costs_module.load_costs(ROOT / "scenarios" / "costs" / "policies.yaml")
    seen = set()
    for path in sorted((ROOT / "scenarios" / "policies").glob("*.yaml")) + [ROOT / "scenarios" / "combined.yaml"]:
        doc = yaml.safe_load(path.read_text())
        if not isinstance(doc, dict) or "interventions" not in doc:
            continue
        for entry in doc["interventions"]:
            assert entry["name"] in costs.interventions, f"{path.name}: {entry['name']} has no cost entry"
            assert costs.interventions[entry["name"]].cost.central == entry["cost_usd_per_day"], path.name
            seen.add(entry["name"])
    assert seen == set(costs.interventions)
    for item in costs.downstream:
        assert item.cost.sourced and item.source


def test_central_costs_must_add_up_to_what_the_run_charged(tmp_path, three_runs):
    from test_compare_posterior import write_run
    # As if run with --set interventions.0.cost_usd_per_day=120: the stored scenario still says 100.
    overridden = write_run(tmp_path / "o.h5", "overridden",
                           {"deaths": 90, "border_encounters": 450, "removed": 90, "intervention_cost_usd": 1200},
                           interventions=[("alpha", 100, 0, 9)])
    path = tmp_path / "costs.yaml"
    path.write_text(COSTS)
    with pytest.raises(compare.CompareError) as error:
        compare.compare([three_runs[0], overridden], costs=path)
    assert "the central costs give 1,000 USD over the window for replicate 0" in str(error.value)
    assert "which charged 1,200 (intervention_cost_usd)" in str(error.value)
