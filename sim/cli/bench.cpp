#include "cli/bench.hpp"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <span>
#include <sstream>

#include "calibrate/posterior_file.hpp"
#include "engine/simulation.hpp"
#include "engine/step.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"
#include "util/errors.hpp"
#include "util/random.hpp"
#include "util/system.hpp"
#include "util/version.hpp"

namespace migrasim {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

template <class T>
double bytes_of(const std::vector<T>& v) {
  return static_cast<double>(v.capacity() * sizeof(T));
}

// The part of a vector in use: the agent columns reserve room for every agent
// but touch only the slots in use.
template <class T>
double bytes_used(const std::vector<T>& v) {
  return static_cast<double>(v.size() * sizeof(T));
}

template <class... Vectors>
double bytes_of_all(const Vectors&... v) {
  return (bytes_of(v) + ...);
}

// Every array the state holds, in bytes: the agent columns as far as they are
// in use, the rest as allocated (the rationing scratch and the list of those
// who left are reserved for everyone and touched only as far as a run needs).
double state_bytes(const State& s) {
  const Agents& a = s.agents;
  const Communities& c = s.communities;
  const Smugglers& n = s.smugglers;
  const PolicyState& p = s.policy;
  return std::apply([](const auto&... columns) { return (bytes_used(columns) + ...); },
                    a.columns()) +
         bytes_of_all(s.home_status) +
         bytes_of_all(c.aware, c.at_home, c.belief_success, c.belief_danger, c.arrivals, c.failures,
                      c.deaths, c.remembered_arrivals, c.remembered_failures, c.remembered_deaths,
                      c.awareness_probability, c.success_signal, c.danger_signal) +
         bytes_of_all(n.capacity, n.fee_usd, n.reputation, n.remembered_successes,
                      n.remembered_failures, n.successes, n.failures, n.demand, n.taken,
                      n.intake_capacity) +
         static_cast<double>(p.bytes()) +
         bytes_of_all(s.region_hardship, s.region_repression, s.region_exit_probability,
                      s.checkpoint_screened, s.checkpoint_screening_capacity, s.tally.node_arrivals,
                      s.counts.node_stock, s.counts.node_held, s.recording.scalar,
                      s.recording.intervention_activity) +
         std::accumulate(s.recording.axis.begin(), s.recording.axis.end(), 0.0,
                         [](double sum, const auto& v) { return sum + bytes_of(v); }) +
         std::accumulate(s.tally.axis.begin(), s.tally.axis.end(), 0.0,
                         [](double sum, const auto& v) { return sum + bytes_of(v); }) +
         static_cast<double>(s.queue.bytes()) + static_cast<double>(s.leavers.bytes()) +
         static_cast<double>(s.transit.bytes());
}

double peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

std::string date_of_step(const Model& m, std::int32_t step) {
  return to_string(Date{static_cast<std::int32_t>(std::floor(m.day_of_step(step)))});
}

// The share of agents in each status and aware of the route, counted now:
// those who left home by slot, the rest at home.
void count_population(const Model& m, const State& s, BenchReport& report) {
  const Agents& a = s.agents;
  const auto slots = static_cast<std::int64_t>(a.size());
  const auto home = static_cast<std::int64_t>(s.home_status.size());
  std::array<std::int64_t, kStatusCount> counts{};
  std::int64_t* by_status = counts.data();
  std::int64_t aware = 0, at_home = 0;
#pragma omp parallel for schedule(static) reduction(+ : by_status[:kStatusCount]) reduction(+ : aware)
  for (std::int64_t i = 0; i < slots; ++i) {
    ++by_status[static_cast<std::size_t>(a.status[i])];
    aware += (a.flags[i] & kRouteAware) != 0;
  }
#pragma omp parallel for schedule(static) reduction(+ : at_home)
  for (std::int64_t h = 0; h < home; ++h) at_home += s.home_status[h] == Status::kAtHome;
  // Those at home who know the route: those who ever learnt it there, less
  // those of them who left (every agent in a slot knows it).
  for (std::size_t k = 0; k < m.community_count(); ++k) aware += s.communities.route_known[k];
  aware -= slots - static_cast<std::int64_t>(m.agents - m.home_agents);
  counts[static_cast<std::size_t>(Status::kAtHome)] += at_home;
  const auto n = static_cast<double>(m.agents);
  for (std::size_t k = 0; k < kStatusCount; ++k) {
    report.status_share[k] = static_cast<double>(counts[k]) / n;
  }
  report.route_aware_share = static_cast<double>(aware) / n;
}

// Passes are repeated and the fastest kept: a limit is what the machine can do.
template <class Pass>
double fastest_pass_seconds(int passes, Pass pass) {
  double best = 1e300;
  for (int k = 0; k < passes; ++k) {
    const auto start = Clock::now();
    pass();
    best = std::min(best, seconds_since(start));
  }
  return best;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// A JSON number; JSON has no NaN or infinity.
std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::string json_integer(std::int64_t value) { return std::to_string(value); }

}  // namespace

double measure_rmw_bytes_per_second(std::size_t bytes, int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  const auto words =
      static_cast<std::int64_t>(std::max<std::size_t>(bytes / sizeof(std::uint64_t), 1));
  // Not value-initialised: the first parallel pass touches the pages, from the
  // threads that will use them.
  std::unique_ptr<std::uint64_t[]> data(new std::uint64_t[static_cast<std::size_t>(words)]);
  std::uint64_t* w = data.get();
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < words; ++k) w[k] = static_cast<std::uint64_t>(k);
  const double seconds = fastest_pass_seconds(5, [&] {
#pragma omp parallel for schedule(static)
    for (std::int64_t k = 0; k < words; ++k) w[k] += 0x9E3779B97F4A7C15ull;
  });
  // Keep the result observable so the passes are not optimised away.
  volatile std::uint64_t sink = w[words / 2];
  (void)sink;
  return static_cast<double>(words) * sizeof(std::uint64_t) / seconds;
}

double measure_draws_per_second(std::int64_t draws, int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  const StreamKey key{0x5EEDull, 0, 0, StreamId::kInformation};
  std::uint32_t mixed = 0;
  // The model's own way to draw: batches of agents through the fastest kernel.
  const double seconds = fastest_pass_seconds(3, [&] {
    std::uint32_t x = 0;
#pragma omp parallel reduction(^ : x)
    {
      constexpr std::int64_t kBatch = 512;
      std::uint32_t ids[kBatch], bits[kBatch];
      const std::int64_t t = omp_get_thread_num(), team = omp_get_num_threads();
      const std::int64_t lo = draws * t / team, hi = draws * (t + 1) / team;
      for (std::int64_t start = lo; start < hi; start += kBatch) {
        const auto count = static_cast<std::size_t>(std::min(kBatch, hi - start));
        for (std::size_t j = 0; j < count; ++j)
          ids[j] = static_cast<std::uint32_t>(start) + static_cast<std::uint32_t>(j);
        first_bits(key, {ids, count}, bits);
        for (std::size_t j = 0; j < count; ++j) x ^= bits[j];
      }
    }
    mixed ^= x;
  });
  volatile std::uint32_t sink = mixed;
  (void)sink;
  return static_cast<double>(draws) / seconds;
}

std::string find_baseline_scenario() {
  namespace fs = std::filesystem;
  const fs::path relative = fs::path("scenarios") / "baseline.yaml";
  std::error_code error;
  if (fs::is_regular_file(relative, error)) return relative.string();
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    // build/migrasim -> scenarios/ beside build/
    const fs::path beside = executable.parent_path().parent_path() / relative;
    if (fs::is_regular_file(beside, error)) return beside.string();
  }
  return {};
}

BenchReport run_bench(const BenchOptions& o) {
  if (o.agents < 1 || o.agents > (std::int64_t{1} << 31)) {
    throw InputError("--agents must be between 1 and 2^31");
  }
  if (o.steps < 1) throw InputError("--steps must be at least 1");
  if (o.threads > 0) omp_set_num_threads(o.threads);
  BenchReport r;
  r.threads = omp_get_max_threads();
  r.agents = o.agents;

  // Set-up: the scenario rescaled to the number of agents, persons kept fixed.
  auto start = Clock::now();
  Scenario scenario = load_scenario(o.scenario, o.overrides);
  if (!o.posterior.empty()) {
    // The particle follows from the seed the scenario gives (overrides and all).
    const Posterior posterior = read_posterior(o.posterior);
    const std::uint32_t particle = posterior_particle(posterior, scenario.run.seed, 0);
    std::vector<std::string> overrides = o.overrides;
    for (std::string& more : posterior_overrides(posterior, particle))
      overrides.push_back(std::move(more));
    try {
      scenario = load_scenario(o.scenario, overrides);
    } catch (const InputError& e) {
      throw InputError(o.posterior + ": particle " + std::to_string(particle) +
                       " does not fit the scenario: " + e.what());
    }
    r.posterior_file = o.posterior;
    r.posterior_particle = particle;
    for (std::size_t k = 0; k < posterior.names.size(); ++k) {
      r.posterior_values.emplace_back(posterior.names[k],
                                      posterior.parameters[particle * posterior.names.size() + k]);
    }
  }
  const double persons =
      static_cast<double>(scenario.population.agents) * scenario.population.persons_per_agent;
  scenario.population.agents = o.agents;
  scenario.population.persons_per_agent = persons / static_cast<double>(o.agents);
  const Model m = compile(scenario);
  r.compile_seconds = seconds_since(start);
  r.scenario_name = m.scenario_name;
  r.scenario_file = o.scenario;
  r.persons_per_agent = m.persons_per_agent;
  r.scenario_steps = m.steps;

  if (o.steps > m.steps) {
    throw InputError(o.scenario + ": --steps " + std::to_string(o.steps) +
                     " is more than the scenario's " + std::to_string(m.steps) + " steps");
  }
  r.steps = o.steps;
  r.warmup_steps = o.warmup_steps >= 0 ? o.warmup_steps : std::min(m.steps / 2, m.steps - o.steps);
  if (r.warmup_steps + r.steps > m.steps) {
    throw InputError(o.scenario + ": --warmup-steps " + std::to_string(r.warmup_steps) +
                     " and --steps " + std::to_string(r.steps) + " run past the scenario's " +
                     std::to_string(m.steps) + " steps");
  }
  const std::uint64_t needed = estimated_memory_bytes(m);
  if (const std::uint64_t available = available_memory_bytes();
      available > 0 && needed > available) {
    throw InputError(std::to_string(o.agents) + " agents need about " +
                     std::to_string(needed >> 20) + " MiB, but only " +
                     std::to_string(available >> 20) + " MiB are available");
  }

  start = Clock::now();
  State s = make_state(m);
  r.allocate_seconds = seconds_since(start);
  start = Clock::now();
  initialize_population(m, 0, s);
  r.initialize_seconds = seconds_since(start);
  r.setup_seconds = r.compile_seconds + r.allocate_seconds + r.initialize_seconds;

  // Warm-up, untimed stage by stage, so the timed steps see a typical mix.
  start = Clock::now();
  for (std::int32_t t = 0; t < r.warmup_steps; ++t) {
    s.step = t;
    step(m, s);
  }
  r.warmup_seconds = seconds_since(start);
  count_population(m, s, r);
  r.first_timed_date = date_of_step(m, r.warmup_steps);
  r.last_timed_date = date_of_step(m, r.warmup_steps + r.steps - 1);

  const std::span<const Stage> all = stages();
  std::vector<double> stage_seconds(all.size(), 0.0);
  start = Clock::now();
  for (std::int32_t t = r.warmup_steps; t < r.warmup_steps + r.steps; ++t) {
    s.step = t;
    for (std::size_t k = 0; k < all.size(); ++k) {
      const auto stage_start = Clock::now();
      all[k].run(m, s);
      stage_seconds[k] += seconds_since(stage_start);
    }
  }
  r.timed_seconds = seconds_since(start);
  for (std::size_t k = 0; k < all.size(); ++k) r.stages.push_back({all[k].name, stage_seconds[k]});
  const double agent_steps = static_cast<double>(r.agents) * r.steps;
  r.agent_steps_per_second = agent_steps / r.timed_seconds;

  r.hot_bytes_per_agent = static_cast<double>(Agents::kBytesPerAgent);
  r.state_bytes_per_agent = state_bytes(s) / static_cast<double>(r.agents);
  r.peak_rss_bytes = peak_rss_bytes();
  r.peak_rss_bytes_per_agent = r.peak_rss_bytes / static_cast<double>(r.agents);

  r.draw_kernel = to_string(fastest_draw_kernel());
  if (o.machine_limits) {
    // The state goes first, so the probe's buffer does not raise the peak.
    s = State{};
    // At most 1 GiB: far beyond the caches, and within memory at 10^9 agents,
    // of whom the columns hold only those who left home.
    const auto hot_bytes = std::min<std::size_t>(
        static_cast<std::size_t>(r.hot_bytes_per_agent) * static_cast<std::size_t>(r.agents),
        std::size_t{1} << 30);
    r.rmw_bytes_per_second = measure_rmw_bytes_per_second(hot_bytes, o.threads);
    r.rmw_agents_per_second = r.rmw_bytes_per_second / r.hot_bytes_per_agent;
    r.draws_per_second =
        measure_draws_per_second(std::clamp<std::int64_t>(r.agents, 1 << 22, 1 << 25), o.threads);
  }
  return r;
}

std::string format_bench_text(const BenchReport& r) {
  std::ostringstream out;
  char line[200];
  std::snprintf(
      line, sizeof line, "migrasim bench: %s, %lld agents (%g persons each), %d thread(s)\n",
      r.scenario_name.c_str(), static_cast<long long>(r.agents), r.persons_per_agent, r.threads);
  out << line;
  std::snprintf(line, sizeof line,
                "  warm-up          %d steps in %.2f s; timed %d steps, %s to %s\n", r.warmup_steps,
                r.warmup_seconds, r.steps, r.first_timed_date.c_str(), r.last_timed_date.c_str());
  out << line;
  out << "  population       ";
  for (std::size_t k = 0; k < kStatusCount; ++k) {
    if (r.status_share[k] <= 0.0) continue;
    std::snprintf(line, sizeof line, "%s %.4g%%  ", to_string(static_cast<Status>(k)),
                  100.0 * r.status_share[k]);
    out << line;
  }
  std::snprintf(line, sizeof line, "(route-aware %.1f%%)\n", 100.0 * r.route_aware_share);
  out << line;
  if (r.posterior_particle >= 0) {
    out << "  posterior        particle " << r.posterior_particle << " of " << r.posterior_file
        << ":";
    for (const auto& [name, value] : r.posterior_values) {
      std::snprintf(line, sizeof line, " %s %.6g", name.c_str(), value);
      out << line;
    }
    out << "\n";
  }
  std::snprintf(line, sizeof line,
                "  set-up           %.3f s (compile %.3f, allocate %.3f, initialise %.3f); %.3f s "
                "per 10M agents\n",
                r.setup_seconds, r.compile_seconds, r.allocate_seconds, r.initialize_seconds,
                r.setup_seconds * 1e7 / static_cast<double>(r.agents));
  out << line;
  std::snprintf(line, sizeof line,
                "  speed            %.1f M agent-steps/s (%.1f M per thread), %.3f s per step\n",
                r.agent_steps_per_second / 1e6, r.agent_steps_per_second / 1e6 / r.threads,
                r.timed_seconds / r.steps);
  out << line;
  std::snprintf(line, sizeof line, "  %-16s %10s %8s %18s\n", "stage", "ms/step", "share",
                "M agent-steps/s");
  out << line;
  for (const BenchStageTime& stage : r.stages) {
    std::snprintf(
        line, sizeof line, "  %-16s %10.3f %7.1f%% %18.1f\n", stage.name.c_str(),
        1e3 * stage.seconds / r.steps, 100.0 * stage.seconds / r.timed_seconds,
        stage.seconds > 0.0 ? static_cast<double>(r.agents) * r.steps / stage.seconds / 1e6 : 0.0);
    out << line;
  }
  std::snprintf(line, sizeof line,
                "  bytes per agent  hot %.0f, state %.1f, peak RSS %.1f (%.0f MiB)\n",
                r.hot_bytes_per_agent, r.state_bytes_per_agent, r.peak_rss_bytes_per_agent,
                r.peak_rss_bytes / 1048576.0);
  out << line;
  if (r.rmw_agents_per_second > 0.0) {
    std::snprintf(
        line, sizeof line,
        "  machine          read-modify-write of %.0f B/agent: %.1f M agents/s (%.1f GB/s); "
        "model at %.1f%% of it\n",
        r.hot_bytes_per_agent, r.rmw_agents_per_second / 1e6, r.rmw_bytes_per_second / 1e9,
        100.0 * r.fraction_of_rmw());
    out << line;
    std::snprintf(
        line, sizeof line,
        "                   Philox4x32-10 blocks (%s): %.1f M/s; model at %.1f%% of one draw per "
        "agent-step\n",
        r.draw_kernel.c_str(), r.draws_per_second / 1e6, 100.0 * r.fraction_of_draws());
    out << line;
  }
  return out.str();
}

std::string format_bench_json(const BenchReport& r) {
  std::ostringstream out;
  out << "{\"version\": " << json_string(kVersion)
      << ", \"scenario\": " << json_string(r.scenario_name)
      << ", \"scenario_file\": " << json_string(r.scenario_file)
      << ", \"agents\": " << json_integer(r.agents)
      << ", \"persons_per_agent\": " << json_number(r.persons_per_agent)
      << ", \"threads\": " << r.threads << ", \"scenario_steps\": " << r.scenario_steps
      << ", \"warmup_steps\": " << r.warmup_steps << ", \"steps\": " << r.steps
      << ", \"first_timed_date\": " << json_string(r.first_timed_date)
      << ", \"last_timed_date\": " << json_string(r.last_timed_date);
  out << ", \"posterior\": ";
  if (r.posterior_particle < 0) {
    out << "null";
  } else {
    out << "{\"file\": " << json_string(r.posterior_file)
        << ", \"particle\": " << json_integer(r.posterior_particle) << ", \"values\": {";
    for (std::size_t k = 0; k < r.posterior_values.size(); ++k) {
      out << (k ? ", " : "") << json_string(r.posterior_values[k].first) << ": "
          << json_number(r.posterior_values[k].second);
    }
    out << "}}";
  }
  out << ", \"status_share\": {";
  for (std::size_t k = 0; k < kStatusCount; ++k) {
    out << (k ? ", " : "") << json_string(to_string(static_cast<Status>(k))) << ": "
        << json_number(r.status_share[k]);
  }
  out << "}, \"route_aware_share\": " << json_number(r.route_aware_share);
  out << ", \"setup_seconds\": " << json_number(r.setup_seconds)
      << ", \"compile_seconds\": " << json_number(r.compile_seconds)
      << ", \"allocate_seconds\": " << json_number(r.allocate_seconds)
      << ", \"initialize_seconds\": " << json_number(r.initialize_seconds)
      << ", \"warmup_seconds\": " << json_number(r.warmup_seconds)
      << ", \"timed_seconds\": " << json_number(r.timed_seconds)
      << ", \"agent_steps_per_second\": " << json_number(r.agent_steps_per_second)
      << ", \"agent_steps_per_second_per_thread\": "
      << json_number(r.agent_steps_per_second / r.threads);
  out << ", \"stages\": {";
  for (std::size_t k = 0; k < r.stages.size(); ++k) {
    const BenchStageTime& stage = r.stages[k];
    out << (k ? ", " : "") << json_string(stage.name)
        << ": {\"seconds\": " << json_number(stage.seconds)
        << ", \"share\": " << json_number(stage.seconds / r.timed_seconds)
        << ", \"agent_steps_per_second\": "
        << json_number(stage.seconds > 0.0 ? static_cast<double>(r.agents) * r.steps / stage.seconds
                                           : 0.0)
        << "}";
  }
  out << "}, \"bytes_per_agent\": {\"hot\": " << json_number(r.hot_bytes_per_agent)
      << ", \"state\": " << json_number(r.state_bytes_per_agent)
      << ", \"peak_rss\": " << json_number(r.peak_rss_bytes_per_agent) << "}"
      << ", \"peak_rss_bytes\": " << json_number(r.peak_rss_bytes);
  out << ", \"machine\": {\"rmw_agents_per_second\": " << json_number(r.rmw_agents_per_second)
      << ", \"rmw_bytes_per_second\": " << json_number(r.rmw_bytes_per_second)
      << ", \"draws_per_second\": " << json_number(r.draws_per_second)
      << ", \"fraction_of_rmw\": " << json_number(r.fraction_of_rmw())
      << ", \"fraction_of_draws\": " << json_number(r.fraction_of_draws())
      << "}, \"draw_kernel\": " << json_string(r.draw_kernel) << "}\n";
  return out.str();
}

}  // namespace migrasim
