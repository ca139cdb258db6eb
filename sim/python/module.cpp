// migrasim._core: the compiled half of the Python package (docs/python.md).
// The Python half (analysis/migrasim/native.py) turns what this returns into
// xarray Datasets and summaries; this file only binds the layers below.
//
// Runs release the GIL and step on a worker thread while the calling thread
// polls Python's signal flag: Python handles SIGINT itself, and only its main
// thread can turn one into KeyboardInterrupt, so a run asks the engine to stop
// (stop_run) when PyErr_CheckSignals reports one.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "calibrate/posterior_run.hpp"
#include "engine/simulation.hpp"
#include "input/scenario.hpp"
#include "model/series.hpp"
#include "python/in_memory_run.hpp"
#include "python/loaded_scenario.hpp"
#include "python/replicate_series.hpp"
#include "util/dates.hpp"
#include "util/errors.hpp"
#include "util/version.hpp"

namespace py = pybind11;

namespace migrasim {
namespace {

// How often a waiting run looks for Ctrl-C: short beside a human's patience,
// long beside the cost of taking the GIL.
constexpr auto kSignalPoll = std::chrono::milliseconds(50);

// Runs `work` on a worker thread with the GIL released; raises
// KeyboardInterrupt (after the engine stopped at the end of its step) if a
// signal handler raised it meanwhile.
template <class Result, class Work>
Result run_interruptibly(Work work) {
  std::optional<Result> result;
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  bool interrupted = false;
  {
    py::gil_scoped_release release;
    std::thread worker([&] {
      try {
        result.emplace(work());
      } catch (...) {
        error = std::current_exception();
      }
      const std::lock_guard lock(mutex);
      done = true;
      finished.notify_all();
    });
    std::unique_lock lock(mutex);
    while (!finished.wait_for(lock, kSignalPoll, [&] { return done; })) {
      lock.unlock();
      {
        py::gil_scoped_acquire acquire;
        // The exception stays set on this thread until it is raised below.
        if (!interrupted && PyErr_CheckSignals() != 0) {
          interrupted = true;
          stop_run(SIGINT);
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (interrupted) {
    clear_stop();
    throw py::error_already_set();
  }
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// The scenario object Python holds; nothing changes it once loaded.
using ScenarioPtr = std::shared_ptr<LoadedScenario>;

py::dict series_entry(const SeriesInfo& info, std::vector<std::string> dims) {
  py::dict entry;
  entry["name"] = info.name;
  entry["units"] = info.units;
  entry["long_name"] = info.long_name;
  entry["cell_methods"] = info.cell_methods();
  entry["dims"] = py::tuple(py::cast(dims));
  return entry;
}

// Every output series of a model, in the order of the file's variables.
py::list series_table(const Model& model) {
  py::list table;
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    table.append(series_entry(series_info(k), {"replicate", "time"}));
  }
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    const auto series = static_cast<AxisSeries>(k);
    if (axis_length(model, axis_of(series)) == 0) continue;  // as the file leaves it out
    table.append(
        series_entry(axis_series_info(series), {"replicate", "time", to_string(axis_of(series))}));
  }
  // As output/run_file.cpp lays it out (test_native.py compares the two).
  if (!model.interventions.empty()) {
    py::dict entry;
    entry["name"] = "intervention_activity";
    entry["units"] = "1";
    entry["long_name"] = "level at which each intervention is in force";
    entry["cell_methods"] = "time: point";
    entry["dims"] = py::make_tuple("replicate", "time", "intervention");
    table.append(entry);
  }
  return table;
}

// A model with the run-time choices of `migrasim run` applied.
Model with_run_choices(const Model& model, std::optional<std::uint32_t> replicates,
                       std::optional<std::uint64_t> seed) {
  Model m = model;
  if (replicates) m.replicates = *replicates;
  if (seed) m.seed = *seed;
  return m;
}

// "key=value" with the value written so that it reads back to the same double.
std::string assignment(const std::string& key, double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return key + "=" + text;
}

// The simulator behind migrasim.simulator: fixed keys, values per call.
class Simulator {
 public:
  Simulator(ScenarioPtr scenario, std::vector<std::string> keys, std::uint32_t replicates,
            int threads)
      : scenario_(std::move(scenario)),
        keys_(std::move(keys)),
        replicates_(replicates),
        threads_(threads) {}

  // (scalar: replicates x series x steps, {axis series name: replicates x steps x length})
  py::tuple call(const std::vector<double>& values, std::optional<std::uint64_t> seed) const {
    if (values.size() != keys_.size()) {
      throw py::value_error("expected " + std::to_string(keys_.size()) + " parameter values, got " +
                            std::to_string(values.size()));
    }
    const ReplicateSeries series = run_interruptibly<ReplicateSeries>([&] {
      std::vector<std::string> overrides;
      for (std::size_t i = 0; i < keys_.size(); ++i) {
        overrides.push_back(assignment(keys_[i], values[i]));
      }
      const Model m = with_run_choices(recompile(*scenario_, overrides), replicates_, seed);
      return run_replicate_series(m, threads_);
    });
    const auto r = static_cast<py::ssize_t>(series.replicates);
    const auto t = static_cast<py::ssize_t>(series.steps);
    py::array_t<double> scalar({r, static_cast<py::ssize_t>(kSeriesCount), t},
                               series.scalar.data());
    py::dict per_axis;
    for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
      const auto n = static_cast<py::ssize_t>(series.axis_length[k]);
      per_axis[axis_series_info(static_cast<AxisSeries>(k)).name] =
          py::array_t<double>({r, t, n}, series.axis[k].data());
    }
    return py::make_tuple(scalar, per_axis);
  }

  const std::vector<std::string>& keys() const { return keys_; }

 private:
  ScenarioPtr scenario_;
  std::vector<std::string> keys_;
  std::uint32_t replicates_;
  int threads_;
};

void bind(py::module_& module) {
  module.attr("__version__") = kVersion;
  module.attr("TEXT_FILE_NAME") = kTextFileName;

  // InputError becomes migrasim.errors.ScenarioError (its text parsed there);
  // a stop nobody asked for here (another thread's KeyboardInterrupt) stays one.
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const InputError& e) {
      const py::object cls = py::module_::import("migrasim.errors").attr("ScenarioError");
      PyErr_SetObject(cls.ptr(), py::str(e.what()).ptr());
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
  });

  py::class_<LoadedScenario, ScenarioPtr>(module, "Scenario",
                                          "A validated, compiled scenario (migrasim.load).")
      .def_property_readonly("name", [](const LoadedScenario& s) { return s.model.scenario_name; })
      .def_property_readonly("file", [](const LoadedScenario& s) { return s.file; })
      .def_property_readonly("overrides", [](const LoadedScenario& s) { return s.overrides; })
      .def_property_readonly("yaml", [](const LoadedScenario& s) { return s.model.scenario_text; })
      .def_property_readonly("start",
                             [](const LoadedScenario& s) { return to_string(s.model.start_date); })
      .def_property_readonly("step_days", [](const LoadedScenario& s) { return s.model.step_days; })
      .def_property_readonly("steps", [](const LoadedScenario& s) { return s.model.steps; })
      .def_property_readonly("seed", [](const LoadedScenario& s) { return s.model.seed; })
      .def_property_readonly("replicates",
                             [](const LoadedScenario& s) { return s.model.replicates; })
      .def_property_readonly("agents", [](const LoadedScenario& s) { return s.model.agents; })
      .def_property_readonly("persons_per_agent",
                             [](const LoadedScenario& s) { return s.model.persons_per_agent; })
      .def_property_readonly("regions", [](const LoadedScenario& s) { return s.model.region_name; })
      .def_property_readonly("nodes", [](const LoadedScenario& s) { return s.model.node_name; })
      .def_property_readonly("node_kinds",
                             [](const LoadedScenario& s) {
                               std::vector<std::string> kinds;
                               for (const NodeKind k : s.model.node_kind)
                                 kinds.push_back(to_string(k));
                               return kinds;
                             })
      .def_property_readonly("edges",
                             [](const LoadedScenario& s) {
                               const Model& m = s.model;
                               std::vector<std::pair<std::string, std::string>> edges;
                               for (std::size_t e = 0; e < m.edge_count(); ++e) {
                                 edges.emplace_back(m.node_name[m.edge_from[e]],
                                                    m.node_name[m.edge_to[e]]);
                               }
                               return edges;
                             })
      .def_property_readonly("checkpoints",
                             [](const LoadedScenario& s) { return s.model.checkpoint_name; })
      .def_property_readonly("networks",
                             [](const LoadedScenario& s) { return s.model.network_name; })
      .def_property_readonly("series",
                             [](const LoadedScenario& s) { return series_table(s.model); })
      .def_property_readonly("interventions", [](const LoadedScenario& s) {
        std::vector<std::pair<std::string, std::string>> interventions;
        for (const Intervention& v : s.model.interventions) {
          interventions.emplace_back(v.name, v.type());
        }
        return interventions;
      });

  module.def(
      "load",
      [](const std::string& source, bool is_text, const std::vector<std::string>& overrides) {
        return std::make_shared<LoadedScenario>(load_for_python(source, is_text, overrides));
      },
      py::arg("source"), py::arg("is_text"), py::arg("overrides"),
      "Reads, checks and compiles a scenario; raises ScenarioError.");

  module.def(
      "run_image",
      [](const ScenarioPtr& scenario, std::optional<std::uint32_t> replicates,
         std::optional<std::uint64_t> seed, int threads, const std::string& command_line,
         std::optional<std::string> posterior_path) {
        const Model m = with_run_choices(scenario->model, replicates, seed);
        RunOptions options;
        options.threads = threads;
        options.command_line = command_line;
        // Kept alive until the run ends: the options' callbacks refer to it.
        std::optional<Posterior> posterior;
        if (posterior_path) {
          posterior.emplace(read_posterior(*posterior_path));
          run_over_posterior(options, *posterior, m,
                             [scenario](const std::vector<std::string>& more) {
                               return recompile(*scenario, more);
                             });
        }
        const std::vector<unsigned char> image = run_interruptibly<std::vector<unsigned char>>(
            [&] { return run_to_image(m, scenario->file, options); });
        return py::bytes(reinterpret_cast<const char*>(image.data()), image.size());
      },
      py::arg("scenario"), py::arg("replicates"), py::arg("seed"), py::arg("threads"),
      py::arg("command_line"), py::arg("posterior") = std::nullopt,
      "Runs a scenario into an HDF5 file in memory and returns the file's bytes.");

  py::class_<Simulator>(module, "Simulator")
      .def(py::init<ScenarioPtr, std::vector<std::string>, std::uint32_t, int>(),
           py::arg("scenario"), py::arg("keys"), py::arg("replicates"), py::arg("threads"))
      .def("__call__", &Simulator::call, py::arg("values"), py::arg("seed"))
      .def_property_readonly("keys", &Simulator::keys);
}

}  // namespace
}  // namespace migrasim

PYBIND11_MODULE(_core, module) { migrasim::bind(module); }
