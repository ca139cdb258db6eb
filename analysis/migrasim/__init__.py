"""Analysis of migrasim run and sweep files.

Modules (import the one you need; importing this package itself loads nothing,
so it stays cheap and works whether or not a compiled extension is built):

    migrasim.io           reading files and their attributes
    migrasim.windows      date windows and reductions over time (flows summed, stocks read at the end)
    migrasim.summary      window totals with replicate intervals (python3 -m migrasim.summary)
    migrasim.compare      scenarios against a baseline (python3 -m migrasim.compare)
    migrasim.sensitivity  sensitivity indices from a sweep (python3 -m migrasim.sensitivity)
    migrasim.equivalence  two sets of runs, same distribution? (python3 -m migrasim.equivalence)
    migrasim.fit          a run against observed figures, targets as data (python3 -m migrasim.fit)
"""
