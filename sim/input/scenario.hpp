// The scenario as written: plain structs filled from YAML, with names still
// names. Nothing here is used by the step; compile() (model.hpp) validates the
// cross-references and turns this into the immutable Model.
//
// Every field's unit is in its name or comment. Defaults live here, in the
// member initialisers, and nowhere else.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "input/composition.hpp"
#include "input/interventions.hpp"
#include "input/varying.hpp"
#include "util/dates.hpp"

namespace migrasim {

class YamlField;

// The longest time a scenario may span or a duration may take, in days.
inline constexpr double kMaxDays = 365.25 * 200;

struct TimeSpec {
  Date start;
  Date end;                // inclusive: the last simulated day
  double step_days = 1.0;  // length of one step
};

struct RunSpec {
  std::uint64_t seed = 1;
  std::uint32_t replicates = 1;
};

// Lognormal by its median and log-scale standard deviation. (Defaults are
// given where a distribution is used, e.g. in PopulationSpec.)
struct LognormalSpec {
  double median = 0.0;
  double sigma = 0.0;
};

// Beta by its mean and concentration (alpha + beta).
struct BetaSpec {
  double mean = 0.0;
  double concentration = 0.0;
};

struct PopulationSpec {
  std::int64_t agents = 0;
  double persons_per_agent = 1.0;            // every count in the output is scaled by this
  LognormalSpec savings_usd{8000.0, 1.0};    // liquid savings an agent can spend on the journey
  BetaSpec risk_tolerance{0.3, 4.0};         // 0 = avoids all risk, 1 = ignores it
  BetaSpec asylum_claim_strength{0.3, 3.0};  // chance a claim would be granted on its merits
  double falsified_documents_share = 0.0;    // travel on falsified documents from the start
  double high_risk_share = 0.0;              // rare individuals screening should stop
};

struct RegionSpec {
  std::string name;
  double population_share = 0.0;     // share of the agents living here; shares are normalised
  std::string origin;                // route node where this region's migrants start
  TimeSeriesSpec economic_hardship;  // index in [0, 1]
  TimeSeriesSpec repression;         // index in [0, 1]
  // Share of those set on leaving who are kept from leaving each day (exit
  // controls, passport restrictions, travel bans); 0 = free to leave.
  TimeSeriesSpec exit_restriction{{Date{0}}, {0.0}};
};

enum class NodeKind : std::uint8_t { kOrigin, kTransit, kBorder, kDestination };

// Entering the node needs a visa that travellers from `regions` do not have,
// from `from` (inclusive) until `until` (exclusive, none = for good).
struct VisaRuleSpec {
  std::vector<std::string> regions;
  Date from;
  std::optional<Date> until;
  VisaEnforcementSpec enforcement;
};

struct NodeSpec {
  std::string name;
  NodeKind kind = NodeKind::kTransit;
  std::vector<VisaRuleSpec> visa_required;
};

// A legal channel: aspirants who know of legal pathways, come from an eligible
// region and have a claim at least min_claim_strength are admitted up to
// capacity_per_day, chosen at random when more apply; while eligible they wait
// up to wait_days for a place before setting out irregularly.
struct LegalPathwaySpec {
  std::string name;
  VaryingSpec capacity_per_day = 0.0;
  VaryingSpec min_claim_strength = 0.0;
  std::vector<std::string> regions;  // empty = every region
  Date from;                         // open from (default: the start)
  std::optional<Date> until;
  VaryingSpec wait_days = 30.0;
};

// Whether travelling an edge takes a smuggler: never, by choice, or always.
enum class SmugglerRule : std::uint8_t { kNever, kOptional, kRequired };

// The numeric parameters of edges, checkpoints, smuggling networks, asylum and
// legal pathways are VaryingSpec: each may follow a dated series and a season.
struct EdgeSpec {
  std::string from;
  std::string to;
  VaryingSpec travel_days = 1.0;        // for those setting out on that day
  VaryingSpec cost_usd = 0.0;           // paid on setting out on the edge without a smuggler
  VaryingSpec mortality_per_day = 0.0;  // death hazard while on the edge without a smuggler
  VaryingSpec choice_weight = 1.0;      // relative preference among a node's outgoing edges
  SmugglerRule smuggler = SmugglerRule::kNever;
};

// A smuggling network selling passage over the edges it covers (one fee for
// all of them). Capacity grows when business is profitable and shrinks with
// enforcement; the fee follows demand; reputation follows clients' outcomes.
// See docs/model.md, "Smuggler market".
struct SmugglerSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> covers;  // edges as (from, to)
  // The network's state at the start (these three do not vary: they evolve).
  double capacity_per_day = 10.0;   // clients taken on per day
  double fee_usd = 5000.0;          // fee
  double initial_reputation = 0.5;  // share of clients believed to arrive
  VaryingSpec min_fee_usd = 0.0;
  VaryingSpec max_fee_usd = 1.0e6;
  VaryingSpec price_response_per_day = 0.0;  // fee *= exp(response * (demand / capacity - 1) * dt)
  VaryingSpec cost_per_client_usd = 0.0;     // the network's own cost per client
  VaryingSpec recruitment_rate_per_day = 0.0;  // capacity growth at full use and full margin
  VaryingSpec max_capacity_per_day = 1.0e9;
  VaryingSpec enforcement_loss_rate_per_day = 0.0;  // share of capacity lost to enforcement per day
  VaryingSpec coercion_probability = 0.0;           // clients who paid in full who end up coerced
  VaryingSpec coercion_probability_in_debt = 0.5;   // clients who could not pay in full, likewise
  VaryingSpec client_mortality_multiplier = 1.0;    // on the covered edges' mortality
  VaryingSpec falsified_documents_probability = 0.0;  // clients given falsified documents
  // added to everyone's route-learning hazard, times reputation
  VaryingSpec advertising_rate_per_day = 0.0;
};

// A checkpoint screens everyone arriving at its node (see docs/model.md,
// "Screening"): it apprehends irregular crossers with detection_probability,
// catches falsified documents and flags high-risk individuals with their
// sensitivities, and wrongly flags genuine travellers at false_positive_rate.
// Records of travellers who passed a partner checkpoint upstream raise both
// sensitivities: s' = 1 - (1 - s)(1 - shared_data_match_rate).
struct CheckpointSpec {
  std::string name;
  std::string node;
  VaryingSpec detection_probability = 0.9;        // chance a screened traveller is apprehended
  std::optional<VaryingSpec> throughput_per_day;  // persons screened per day; none = unlimited
  VaryingSpec asylum_claim_probability = 0.0;     // chance an apprehended traveller claims asylum
  VaryingSpec document_sensitivity = 0.0;         // chance falsified documents are caught
  VaryingSpec high_risk_sensitivity = 0.0;        // chance a high-risk individual is flagged
  VaryingSpec false_positive_rate = 0.0;          // chance a genuine traveller is flagged
  // evasion hazard of those waiting, per unit of excess demand
  VaryingSpec evasion_rate_per_day = 0.0;
  std::vector<std::string> partners;         // upstream checkpoints whose records are shared here
  VaryingSpec shared_data_match_rate = 0.0;  // chance a partner's record matches the traveller
  // Returns upstream (an interception at sea that takes people back to the
  // coast they left, say): of those apprehended, return_probability are sent
  // back to the node return_to, which must lie upstream, held there for
  // detention_days, and charged return_cost_usd; the rest meet the outcomes
  // above. None: nobody is sent back.
  std::optional<std::string> return_to;
  VaryingSpec return_probability = 1.0;
  VaryingSpec detention_days = 0.0;
  VaryingSpec return_cost_usd = 0.0;
};

// Social-media groups: `count` groups in all, shared out between regions by
// their agents (at least one per region, at most one per agent); within a
// region, sizes follow a rank-size (Zipf) law:
// the k-th largest group of a region has size proportional to k^-size_exponent,
// so a few large groups hold many members and most groups are small.
struct CommunitySpec {
  std::int64_t count = 200;
  double size_exponent = 1.0;
};

// How news of the route travels (see docs/model.md, "Information").
// An agent unaware of the route learns of it with hazard per day
//   discovery_rate_per_day + smuggling networks' advertising
//   + contagion_rate_per_day * ((1 - global_mixing) * a_c + global_mixing * A)
//   + guide_rate_per_day * arrivals_remembered_c / members_c
// with a_c the aware share of its community, A the aware share overall. The
// perceived success and danger of agents at home move towards their
// community's record of outcomes at learning_rate_per_day.
struct InformationSpec {
  double initial_route_awareness = 1.0;  // share aware at the start (1: no information dynamics)
  double discovery_rate_per_day = 0.0;   // learning of the route from outside any group
  double contagion_rate_per_day = 0.0;   // from aware members of the group
  double global_mixing = 0.0;            // weight of the overall aware share, in [0, 1]
  double guide_rate_per_day = 0.0;       // per remembered arrival per member (route guides)
  double memory_days = 90.0;             // e-folding time of remembered outcomes
  double learning_rate_per_day = 0.05;   // speed at which beliefs follow the group's record
  double prior_success = 0.6;            // belief before any outcome is heard of
  double prior_danger = 0.05;            // perceived chance of dying on the way, likewise
  double prior_weight = 20.0;            // prior's weight, in remembered outcomes
  double death_salience = 10.0;          // a death weighs as much as this many outcomes
  double initial_legal_awareness = 0.0;  // share who know of legal pathways at the start
  double legal_awareness_rate_per_day = 0.0;  // hazard of learning of them, per day
};

// Hazard of forming an intention to leave, per day, for an agent aware of the
// route (unaware agents do not decide):
//   h = base_rate_per_day * exp(hardship_weight * H + repression_weight * R
//         + success_weight * (s - 0.5) - danger_weight * d * (1 - rho))
//       * min(1, savings / route_cost) ^ cost_elasticity
// H, R: the home region's push factors of the day; s, d: the agent's perceived
// success and danger; rho: its risk tolerance; route_cost: the cheapest way from
// its origin to a destination.
struct DecisionSpec {
  double base_rate_per_day = 1.0e-5;
  double hardship_weight = 0.0;
  double repression_weight = 0.0;
  double success_weight = 0.0;
  double danger_weight = 0.0;
  double cost_elasticity = 0.0;
  std::optional<double> give_up_after_days;  // aspirants still at home then stay; none = never
  // Route choice at a branching node: edge e is taken with probability
  // proportional to choice_weight_e * exp(-route_cost_sensitivity * C_e / savings),
  // C_e the cheapest cost to a destination through e (0: weights alone).
  double route_cost_sensitivity = 0.0;
  // Facing an edge where a smuggler is optional, a traveller who can pay the
  // fee seeks one with this probability; one who has waited smuggler_wait_days
  // for a place goes on alone.
  double smuggler_preference = 1.0;
  std::optional<double> smuggler_wait_days;
  // On release from detention after being sent back for the k-th time, a
  // traveller with savings S tries again from where it is held with
  //   p = reattempt_probability * reattempt_factor_per_return^(k - 1)
  //       * min(1, max(0, S) / reattempt_savings_usd)   (last factor 1 when 0)
  // else goes home (final `returned`) with go_home_probability, else stays
  // where it is held (final `stranded`).
  double reattempt_probability = 0.5;
  double reattempt_factor_per_return = 1.0;
  double reattempt_savings_usd = 0.0;
  double go_home_probability = 0.5;
};

// An asylum system: it hears the claims made at the checkpoints on its nodes
// (see docs/model.md, "Asylum processing", for which system hears a claim made
// elsewhere). The scenario's `asylum:` is one system for every node (a single
// mapping, no `name` or `nodes`) or a list of systems, each with its nodes.
struct AsylumSystemSpec {
  std::string name = "asylum";
  std::vector<std::string> nodes;               // empty: every node (the single-mapping form)
  std::optional<VaryingSpec> capacity_per_day;  // claims decided per day; none = unlimited
  VaryingSpec min_processing_days = 0.0;        // no decision before this wait
  // On the checkpoints' asylum_claim_probability for claims heard here (capped at 1).
  VaryingSpec claim_probability_multiplier = 1.0;
  // A decided claim is granted with min(1, claim strength x this)...
  VaryingSpec grant_probability_multiplier = 1.0;
  VaryingSpec min_claim_strength = 0.0;   // ...and denied outright below this strength
  VaryingSpec removal_probability = 1.0;  // share of denied claimants removed (the rest stay)
  VaryingSpec removal_cost_usd = 0.0;     // per person removed
};

// People already on the way when the run starts (docs/model.md, "Initial
// stocks"): persons / persons_per_agent agents of `region` standing at `node`,
// a transit or border node, who know the route. `kInTransit`: free to go on,
// they choose the next edge in the first step as a traveller arriving there
// would; `kWaitingForSmuggler`: they queue for a place with a network on the
// edge they choose (travelling alone only where no network covers it).
enum class StockStatus : std::uint8_t { kInTransit, kWaitingForSmuggler };

struct InitialStockSpec {
  std::string node;
  double persons = 0.0;
  std::string region;  // home region: community membership, exit and visa rules
  StockStatus status = StockStatus::kInTransit;
};

struct Scenario {
  std::string file;  // where it was read from, for messages
  // the document as read (merged, if it extends others); overrides applied afterwards
  std::string text;
  std::vector<std::pair<std::string, std::string>> source_files;  // (path, text), base first
  std::vector<std::string> overrides;                             // the --set assignments, in order
  // key path -> "file:line:column" of the entries and name references, so
  // compile() can point at the line that names an unknown node.
  std::map<std::string, std::string> locations;
  const std::string& locate(const std::string& path) const;
  // Fails with `path` located as above, for errors found after reading.
  [[noreturn]] void fail(const std::string& path, const std::string& message) const;
  // Records where `field` is, for compile()'s messages about it.
  void note(const YamlField& field);
  // A list of names, each noted.
  std::vector<std::string> names(const YamlField& list);

  std::string name;
  std::string description;
  TimeSpec time;
  RunSpec run;
  PopulationSpec population;
  std::vector<RegionSpec> regions;
  std::vector<NodeSpec> nodes;
  std::vector<EdgeSpec> edges;
  std::vector<CheckpointSpec> checkpoints;
  std::vector<SmugglerSpec> smugglers;
  std::vector<LegalPathwaySpec> legal_pathways;
  std::vector<InterventionSpec> interventions;
  std::vector<InitialStockSpec> initial_stocks;
  CommunitySpec communities;
  InformationSpec information;
  DecisionSpec decisions;
  std::vector<AsylumSystemSpec> asylum{AsylumSystemSpec{}};
  bool asylum_is_list = false;  // `asylum:` was written as a list of systems
};

// Reads and checks a scenario file. Structural errors (types, ranges, unknown
// or duplicate keys) are reported here; cross-references (node names, graph
// shape) by compile(). Throws InputError.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

// The same from text already in memory; `file` is used in messages.
Scenario parse_scenario(const std::string& text, const std::string& file,
                        const std::vector<std::string>& overrides = {});

// The same from a document composed earlier (once for a whole sweep, say); the
// document itself is left unchanged.
Scenario scenario_from_document(const ComposedDocument& document, const std::string& file,
                                const std::vector<std::string>& overrides = {});

const char* to_string(NodeKind kind);

}  // namespace migrasim
