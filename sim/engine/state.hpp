// Everything that changes during a run, allocated once before the first step
// (a step never allocates). Agents are a structure of arrays: a stage touches
// only the columns it needs, and loops vectorise.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "engine/leaver_queue.hpp"
#include "engine/policy.hpp"
#include "engine/population_sampler.hpp"
#include "engine/rationing.hpp"
#include "engine/transit_calendar.hpp"
#include "engine/waiting_queues.hpp"
#include "model/model.hpp"
#include "model/series.hpp"
#include "util/permutation.hpp"
#include "util/random.hpp"

namespace migrasim {

// Where an agent is in its migration. Final statuses are never left.
enum class Status : std::uint8_t {
  kAtHome,              // not (yet) intending to leave
  kAspiring,            // intends to leave, has not set out
  kWaitingForSmuggler,  // queued for a place with a smuggling network (pays when taken on)
  kInTransit,           // on a route edge
  kHeldAtCheckpoint,    // arrived at a checkpoint node, waiting to be screened
  kInAsylumProcessing,  // apprehended and claimed asylum, awaiting a decision
  kDetained,            // sent back upstream from a checkpoint, held at its return node
  kStayed,              // final: gave up and stayed home
  kLegalPathway,        // final: left through a legal pathway
  kAdmitted,            // final: granted asylum
  kRemoved,             // final: denied asylum and removed
  kReturned,            // final: returned at a checkpoint without a claim
  kEvaded,              // final: reached a destination undetected
  kDied,                // final: died in transit
  kDeniedStaying,       // final: denied asylum and not removed: stays without status
  kStranded,            // final: released from detention, gave up where it was held
};
inline constexpr std::size_t kStatusCount = 16;
inline constexpr bool is_final(Status s) { return s >= Status::kStayed; }
const char* to_string(Status status);

// Hidden per-agent attributes, one bit each.
enum AgentFlag : std::uint8_t {
  kFalsifiedDocuments = 1u << 0,
  kCoerced = 1u << 1,
  kHighRisk = 1u << 2,
  kRouteAware = 1u << 3,     // knows the route (never forgotten)
  kWithSmuggler = 1u << 4,   // travelling the current edge as a smuggler's client
  kLegalAware = 1u << 5,     // knows of legal pathways
  kHiredSmuggler = 1u << 6,  // has been a smuggling network's client on this journey
  kMayGoAlone = 1u << 7,     // waits for a smuggler where one is optional (read only then)
};

// Per-agent columns of the agents who have left home and of the initial
// stocks, by slot: the stocks' agents take slots 0 .. (agents - home_agents -
// 1), then each step's leavers the next slots in increasing home index (the
// same for any number of threads). One list, X(type, column, meaning), from
// which the struct, its allocation (make_state) and the bytes-per-agent
// accounting (bench, memory estimates) all follow. Memory for every agent is
// reserved but touched only as slots are used (state.cpp), so a run costs
// these bytes per agent who left, not per agent.
//
// An agent at home is one byte (State::home_status); what it knows is
// whether it comes early enough in its community's learning orders
// (home_knowledge.hpp), and everything else about it is a function of (seed,
// replicate, home index) through the population stream
// (population_sampler.hpp), computed when a step needs it and when the agent
// leaves (materialising it in a slot). Its beliefs are its
// community's (Communities::belief_*) while it is at home, and are no longer
// read once it has left.
// clang-format off
#define MIGRASIM_AGENT_COLUMNS(X) \
  X(Status, status, "where the agent is in its migration") \
  X(std::uint8_t, flags, "AgentFlag bits") \
  X(RegionId, region, "home region") \
  X(CommunityId, community, "social-media group") \
  X(NetworkId, smuggler, "network hired or waited for; kNone if none (or gave up waiting)") \
  X(std::uint32_t, passed_checkpoints, "bit c: passed checkpoint c (its records exist)") \
  X(NodeId, node, "last node reached (the origin before leaving)") \
  X(EdgeId, edge, "edge being travelled; kNone when not in transit") \
  X(std::uint16_t, steps_left, "in transit: 0 if the event due is the arrival, else 1 + steps from the death to the arrival; detained: detention steps") \
  X(std::int32_t, due_step, "in transit: step of its next event on the edge, its death or its arrival (transit_calendar.hpp)") \
  X(std::uint8_t, times_sent_back, "times sent back from a checkpoint on this journey (saturates)") \
  X(std::int32_t, status_step, "step at which the current status began") \
  X(float, savings_usd, "money left for the journey (negative = debt)") \
  X(float, risk_tolerance, "in [0, 1]") \
  X(float, claim_strength, "probability an asylum claim is granted") \
  X(std::uint32_t, home, "home index: its draws' entity (stocks: home_agents + member)")
// clang-format on

struct Agents {  // (slots in use each; capacity for every agent)
#define MIGRASIM_AGENT_COLUMN(type, column, meaning) std::vector<type> column;
  MIGRASIM_AGENT_COLUMNS(MIGRASIM_AGENT_COLUMN)
#undef MIGRASIM_AGENT_COLUMN

  // Slots in use: the agents who left home and those of the initial stocks.
  std::size_t size() const { return status.size(); }

  // Every column, in list order, as a tuple of references.
  auto columns() {
#define MIGRASIM_AGENT_COLUMN(type, column, meaning) std::tie(column),
    return std::tuple_cat(MIGRASIM_AGENT_COLUMNS(MIGRASIM_AGENT_COLUMN) std::tuple<>());
#undef MIGRASIM_AGENT_COLUMN
  }
  auto columns() const {
#define MIGRASIM_AGENT_COLUMN(type, column, meaning) std::tie(column),
    return std::tuple_cat(MIGRASIM_AGENT_COLUMNS(MIGRASIM_AGENT_COLUMN) std::tuple<>());
#undef MIGRASIM_AGENT_COLUMN
  }

#define MIGRASIM_AGENT_COLUMN(type, column, meaning) +sizeof(type)
  static constexpr std::size_t kBytesPerAgent = 0 MIGRASIM_AGENT_COLUMNS(MIGRASIM_AGENT_COLUMN);
#undef MIGRASIM_AGENT_COLUMN
};

// What a community saw of its members' journeys, the channel of social
// influence: outcomes counted during a step, folded into a fading memory by the
// feedback stage, and read by the information stage of the next step.
//
// The beliefs of the members at home are held once per community: they all
// start from the same prior and move each step by the same rule towards the
// same record, so they are equal to the last bit, and a member who has left no
// longer updates or uses them. One value per community instead of one per
// agent saves 8 bytes per agent and a read-modify-write of them every step.
struct Communities {                  // (ncommunities each)
  std::vector<std::int64_t> aware;    // members aware of the route
  std::vector<std::int64_t> at_home;  // members at home (kept by the decisions stage)
  // members at home: belief that the journey succeeds, in [0, 1]
  std::vector<float> belief_success;
  std::vector<float> belief_danger;    // members at home: belief of dying on the way, in [0, 1]
  std::vector<std::int64_t> arrivals;  // this step: reached the destination country
  std::vector<std::int64_t> failures;  // this step: returned, stranded or removed
  std::vector<std::int64_t> deaths;    // this step: died on the way
  std::vector<double> remembered_arrivals;  // fading sums of the above
  std::vector<double> remembered_failures;
  std::vector<double> remembered_deaths;
  std::vector<double> awareness_probability;  // scratch: chance per step to learn the route
  std::vector<float> success_signal;          // scratch: the group's record of success
  std::vector<float> danger_signal;           // scratch: the group's record of deaths
  // Who at home knows the route and of legal pathways: prefixes of the
  // members' learning orders (home_knowledge.hpp).
  std::vector<KeyedPermutation> route_order;        // the order members learn the route in
  std::vector<KeyedPermutation> legal_order;        // ... and of legal pathways
  std::vector<std::int64_t> route_known;            // the first route_known of route_order know it
  std::vector<std::int64_t> legal_passed;           // legal_order's positions passed
  std::vector<std::int64_t> legal_unaware_at_home;  // at home, not heard of legal pathways
};

// What one step adds to the series: stages reduce their counts as integers
// (the same in any order) and add them here, in stage order.
struct StepTally {
  std::array<double, kSeriesCount> value{};  // in agents or in the series' own units
  void add(Series series, std::int64_t agents) {
    value[index(series)] += static_cast<double>(agents);
  }
  void add(Series series, double amount) { value[index(series)] += amount; }
  std::vector<std::int64_t> node_arrivals;  // agents reaching each node     (nnodes)
  // The axis series' counts of the step, in agents or their units (one per
  // node, edge, checkpoint or network, as the series' axis says).
  std::array<std::vector<double>, kAxisSeriesCount> axis;
};

// The recorded series of one replicate, in persons, laid out as the output
// file wants them: [series][step] and [axis series][step][entity].
struct Recording {
  std::vector<double> scalar;                 // (kSeriesCount x steps)
  std::vector<double> intervention_activity;  // (steps x ninterventions)
  // per axis series: (steps x its axis' length)
  std::array<std::vector<double>, kAxisSeriesCount> axis;
};

// The smuggling networks' state.                              (nnetworks each)
struct Smugglers {
  std::vector<double> capacity;  // clients taken on per step (agents)
  std::vector<double> fee_usd;
  std::vector<double> reputation;            // believed share of clients who arrive
  std::vector<double> remembered_successes;  // fading sums of clients' outcomes
  std::vector<double> remembered_failures;
  std::vector<std::int64_t> successes;  // this step: clients arrived
  std::vector<std::int64_t> failures;   // this step: clients died or were returned
  std::vector<std::int64_t> demand;     // this step: agents waiting for a place
  std::vector<std::int64_t> taken;      // this step: clients taken on
  std::vector<double> intake_capacity;  // this step: the capacity they were taken on under
  double advertising_hazard = 0.0;      // added to everyone's route-learning hazard next step
};

// How many agents are in each status, and how many of those on their way stand
// at each node, kept as agents change status (status_change.hpp) instead of
// counted by a pass over everyone who left home: a step in which most
// travellers have no event then costs nothing for them in the stages that only
// need the counts (recording, and the stages skipped while their status is
// empty). Each thread adds its changes to its own row; recording folds the
// rows into the totals once a step. Agents the decisions stage gives slots
// are counted from the slots' growth, as aspirants.
struct AgentCounts {
  // One thread's changes since the last fold. Its per-node and per-edge counts
  // lie in one array padded by a cache line at each end, so that threads
  // counting at once never write to the same line.
  struct alignas(64) Changes {
    std::array<std::int64_t, kStatusCount> status{};
    std::vector<std::int64_t> padded;  // pad, node_stock, node_held, edge_departures, pad
    std::size_t nodes = 0;
    static constexpr std::size_t kPad = 8;
    void allocate(std::size_t nnodes, std::size_t nedges) {
      nodes = nnodes;
      padded.assign(2 * kPad + 2 * nnodes + nedges, 0);
    }
    std::int64_t* node_stock() { return padded.data() + kPad; }  // (nnodes)
    std::int64_t* node_held() { return node_stock() + nodes; }   // (nnodes)
    // Travellers setting out on each edge (tally's edge_departures): a whole
    // step's travellers may set out on one edge at once, and an atomic count
    // shared by the threads would serialise them.
    std::int64_t* edge_departures() { return node_held() + nodes; }  // (nedges)
    const std::int64_t* node_stock() const { return padded.data() + kPad; }
    const std::int64_t* node_held() const { return node_stock() + nodes; }
  };
  std::vector<Changes> changes;                     // (nthreads)
  std::array<std::int64_t, kStatusCount> status{};  // at the last fold
  // Waiting for a smuggler at, in transit from, held at or detained at the node (nnodes).
  std::vector<std::int64_t> node_stock;
  std::vector<std::int64_t> node_held;  // held at the node's checkpoint       (nnodes)
  std::size_t slots = 0;                // slots in use at the last fold
};

struct State {
  std::uint32_t replicate = 0;
  std::int32_t step = 0;  // the step being computed

  Agents agents;  // by slot: those who left home and the initial stocks
  // Agents at home, by home index (the community blocks of model.hpp): the
  // only per-agent memory of one who has not left.                 (home_agents)
  std::vector<Status> home_status;  // kAtHome, or kAspiring once it has left

  // Regions                                                      (nregions)
  std::vector<double> region_hardship;  // push factors of the current step
  std::vector<double> region_repression;
  std::vector<double> region_exit_probability;  // chance an aspirant may leave this step

  // Checkpoints                                                  (ncheckpoints)
  std::vector<std::int64_t> checkpoint_screened;      // agents screened in the last step
  std::vector<double> checkpoint_screening_capacity;  // ...under this capacity (agents per step)

  CandidatePools queue;     // capacity rationing scratch, shared by the stages in turn
  LeaverQueue leavers;      // those leaving home in the decisions stage, before their slots
  AgentCounts counts;       // agents per status and per node, kept as they change
  TransitCalendar transit;  // each traveller's next event, by step
  // Who waits for each network, one queue per edge it covers (position q of
  // model.edge_networks: smuggler_queue() in stages/journey.hpp).
  WaitingQueues smuggler_queues;
  WaitingQueues asylum_queues;                    // who waits for each asylum system's decision
  std::vector<std::uint32_t> asylum_decided;      // scratch of the asylum stage
  std::vector<std::size_t> smuggler_open_queues;  // scratch of the market stage
  std::vector<std::uint32_t> smuggler_clients;    // scratch of the market stage

  PolicyState policy;  // the policy in force this step (written by the environment stage)
  Communities communities;
  Smugglers smugglers;
  std::int64_t aware_total = 0;  // agents aware of the route after the information stage

  StepTally tally;
  std::vector<std::int64_t> leaver_count_scratch;          // leavers of each thread's share
  std::array<std::int64_t, kStatusCount> status_counts{};  // agents per status after the last step
  Recording recording;
  std::optional<PopulationSampler> sampler;  // draws the attributes of agents at home
  std::vector<std::unique_ptr<PopulationSampler::Scratch>> sampler_scratch;  // (nthreads)
  // run_replicate times the steps and runs each on all threads or on one,
  // whichever is faster (team_chooser.hpp); false: all threads throughout.
  bool choose_team = true;
};

// Allocates every array for the model; no allocation happens after this.
State make_state(const Model& model);

// Draws the initial population of `replicate` and clears all counters.
void initialize_population(const Model& model, std::uint32_t replicate, State& state);

// The stream of agents' attributes (population_sampler.hpp): drawn at step 0,
// whenever an agent's are needed.
inline StreamKey population_stream(const Model& model, const State& state) {
  return StreamKey{model.seed, state.replicate, 0, StreamId::kInitialPopulation};
}

// Streams for this step's draws.
inline StreamKey stream(const Model& model, const State& state, StreamId id) {
  return StreamKey{model.seed, state.replicate, static_cast<std::uint32_t>(state.step), id};
}

}  // namespace migrasim
