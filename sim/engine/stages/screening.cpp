// reads: agents.status, agents.node, agents.flags, agents.passed_checkpoints, agents.smuggler,
//        state.policy (checkpoint parameters in force), model checkpoints, state.counts
// writes: agents.status, agents.status_step, agents.node, agents.edge,
//         agents.steps_left, agents.due_step, agents.savings_usd, agents.smuggler, agents.flags,
//         agents.passed_checkpoints, agents.times_sent_back, state.checkpoint_screened,
//         tally[sent_back, checkpoint_sent_back, border_encounters, apprehensions, evaded,
//         returned, asylum_claims, falsified_docs_detected, high_risk_detected, high_risk_missed,
//         false_positives], communities and smugglers (outcomes), state.transit, state.counts
//
// Screening at checkpoints. A checkpoint screens at most its throughput per
// step; when D wait for C places, a uniformly random C are screened
// (rationing.hpp) and each of the others slips past undetected with
// probability 1 - exp(-evasion_rate * step_days * (D / C - 1)), else waits.
// A screened traveller is
//   apprehended as an irregular crosser with detection_probability,
//   caught with falsified documents (if it holds them) with document_sensitivity,
//   flagged as high-risk with high_risk_sensitivity if it is, and with
//   false_positive_rate if it is not;
// where the traveller passed a partner checkpoint upstream, both sensitivities
// become 1 - (1 - s)(1 - shared_data_match_rate); a smuggler's client is
// apprehended with 1 - (1 - p)(1 - client_detection_boost) where a task force
// shares intelligence. All of these are the values in force this step
// (policy.cpp). Any of the three stops it:
// it is apprehended (a border encounter on a border node). Where the checkpoint
// has a return_to node, an apprehended traveller is sent back there with
// return_probability: detained at that node for detention_days, charged
// return_cost_usd, its journey not yet over (returns.cpp). Otherwise flagged travellers
// are returned; the others claim asylum with asylum_claim_probability (times
// the claim_probability_multiplier of the asylum system hearing claims there,
// at most 1) or are returned. Travellers not stopped move on, the checkpoint's records of them
// kept; they count as evaded where the checkpoint watches for irregular
// crossers (detection_probability > 0).
#include <algorithm>
#include <cmath>

#include "engine/agent_scan.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "engine/status_change.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

struct ScreeningCounts {
  std::int64_t encounters = 0, apprehensions = 0, evaded = 0, returned = 0, claims = 0,
               sent_back = 0;
  std::int64_t documents = 0, high_risk_detected = 0, high_risk_missed = 0, false_positives = 0;
  ScreeningCounts& operator+=(const ScreeningCounts& o) {
    encounters += o.encounters;
    apprehensions += o.apprehensions;
    evaded += o.evaded;
    returned += o.returned;
    claims += o.claims;
    sent_back += o.sent_back;
    documents += o.documents;
    high_risk_detected += o.high_risk_detected;
    high_risk_missed += o.high_risk_missed;
    false_positives += o.false_positives;
    return *this;
  }
};
// Integer sums: the same in any order.
#pragma omp declare reduction(+ : ScreeningCounts : omp_out += omp_in)

// The traveller passes: its record stays with the checkpoint, and it goes on.
void let_pass(const Model& m, State& s, std::uint32_t i, CheckpointId c, NodeId node,
              Draws& draws) {
  // Its first visit on the next edge is in the next step's movement.
  s.agents.passed_checkpoints[i] |= 1u << c;
  continue_journey(m, s, i, node, draws);
}

// The traveller is taken back to `to` and held there. Its journey goes on
// after detention (returns.cpp), so its community hears of no outcome yet; the
// network that carried it has failed it, and it must hire again to go on.
void send_back(State& s, std::uint32_t i, NodeId to, std::uint16_t detention_steps,
               double cost_usd) {
  Agents& a = s.agents;
  if (const NetworkId network = a.smuggler[i]; network != kNone) {
#pragma omp atomic
    ++s.smugglers.failures[network];
    a.smuggler[i] = kNone;
  }
  move_agent(s, i, Status::kDetained, to);
  a.edge[i] = kNone;
  a.steps_left[i] = detention_steps;
  a.savings_usd[i] -= static_cast<float>(cost_usd);
  a.flags[i] &= static_cast<std::uint8_t>(~kWithSmuggler);
  if (a.times_sent_back[i] < 255) ++a.times_sent_back[i];
}

}  // namespace

void screen_at_checkpoints(const Model& m, State& s) {
  const std::size_t ncheckpoints = m.checkpoint_count();
  if (ncheckpoints == 0) return;
  if (agents_in(s, Status::kHeldAtCheckpoint) == 0) {
    // Nobody to screen: what the pass below would find, without it.
    for (std::size_t c = 0; c < ncheckpoints; ++c) {
      s.checkpoint_screened[c] = 0;
      s.checkpoint_screening_capacity[c] = s.policy.checkpoint_capacity_agents[c];
    }
    return;
  }
  Agents& a = s.agents;
  CandidatePools& queue = s.queue;
  queue.gather(
      ncheckpoints, static_cast<std::int64_t>(a.size()),
      [&](std::int64_t i) {
        return a.status[i] == Status::kHeldAtCheckpoint
                   ? std::uint32_t{m.node_checkpoint[a.node[i]]}
                   : CandidatePools::kNoPool;
      },
      SlotsInStatus{a.status.data(), Status::kHeldAtCheckpoint, Status::kHeldAtCheckpoint});

  const StreamKey queue_key = stream(m, s, StreamId::kScreeningQueue);
  const StreamKey key = stream(m, s, StreamId::kScreening);
  ScreeningCounts n;
  for (std::size_t c = 0; c < ncheckpoints; ++c) {
    const PolicyState& policy = s.policy;
    const double capacity = policy.checkpoint_capacity_agents[c];
    const auto demand = static_cast<double>(queue.demand(c));
    queue.ration(c, capacity, queue_key);
    const auto screened = queue.admitted(c);
    const auto waiting = queue.rejected(c);
    s.checkpoint_screened[c] = static_cast<std::int64_t>(screened.size());
    s.checkpoint_screening_capacity[c] = capacity;
    const auto checkpoint = static_cast<CheckpointId>(c);
    const NodeId node = m.checkpoint_node[c];
    const bool at_border = m.node_kind[node] == NodeKind::kBorder;
    const double p_detect = policy.checkpoint_detection_probability[c];
    // Intelligence on smuggling networks makes their clients easier to spot.
    const double p_detect_client =
        1.0 - (1.0 - p_detect) * (1.0 - policy.client_detection_boost[c]);
    // Passing a checkpoint that does not try to stop irregular crossers (a
    // document check at a legal entry) is not evasion.
    const int watches_crossings =
        m.checkpoint_detection_probability[c].at(s.step) > 0.0 || p_detect > 0.0;
    // Claims are heard by the node's asylum system, whose rules scale the
    // chance of claiming (none where no claim can be made there).
    const std::uint16_t system = m.node_asylum_system[node];
    const double p_claim = system == kNone
                               ? 0.0
                               : std::min(1.0, policy.checkpoint_asylum_claim_probability[c] *
                                                   policy.asylum_claim_multiplier[system]);
    const double p_false_positive = policy.checkpoint_false_positive_rate[c];
    const NodeId return_node = m.checkpoint_return_node[c];
    const double p_return = return_node == kNone ? 0.0 : policy.checkpoint_return_probability[c];
    const std::uint16_t detention_steps = policy.checkpoint_detention_steps[c];
    const double return_cost_usd = policy.checkpoint_return_cost_usd[c];
    const std::uint32_t partners = policy.partner_mask[c];
    const double match = policy.checkpoint_shared_match_rate[c];
    const auto boosted = [match](double sensitivity) {
      return 1.0 - (1.0 - sensitivity) * (1.0 - match);
    };
    const double doc_sensitivity[2] = {policy.checkpoint_document_sensitivity[c],
                                       boosted(policy.checkpoint_document_sensitivity[c])};
    const double risk_sensitivity[2] = {policy.checkpoint_high_risk_sensitivity[c],
                                        boosted(policy.checkpoint_high_risk_sensitivity[c])};

    ScreeningCounts here;  // at this checkpoint
    const auto count = static_cast<std::int64_t>(screened.size());
#pragma omp parallel for schedule(static) reduction(+ : here) if (count > kSerialBelow)
    for (std::int64_t k = 0; k < count; ++k) {
      const std::uint32_t i = screened[static_cast<std::size_t>(k)];
      Draws draws(key, i);
      const std::uint8_t flags = a.flags[i];
      const int known = (a.passed_checkpoints[i] & partners) != 0;
      const bool high_risk = flags & kHighRisk;
      // Three draws, always taken in this order whatever the traveller's flags.
      const bool crossing_detected =
          draws.bernoulli(a.smuggler[i] != kNone ? p_detect_client : p_detect);
      const bool documents_caught =
          draws.bernoulli(doc_sensitivity[known]) && (flags & kFalsifiedDocuments);
      const bool flagged = draws.bernoulli(high_risk ? risk_sensitivity[known] : p_false_positive);
      here.documents += documents_caught;
      if (high_risk) {
        here.high_risk_detected += flagged;
        here.high_risk_missed += !flagged;
      } else {
        here.false_positives += flagged;
      }
      if (!(crossing_detected || documents_caught || flagged)) {
        here.evaded += watches_crossings;
        let_pass(m, s, i, checkpoint, node, draws);
        continue;
      }
      ++here.apprehensions;
      here.encounters += at_border;
      a.status_step[i] = s.step;
      // Only checkpoints that send people back draw for it, so the others'
      // draws are those of a scenario without returns.
      if (p_return > 0.0 && draws.bernoulli(p_return)) {
        send_back(s, i, return_node, detention_steps, return_cost_usd);
        ++here.sent_back;
      } else if (!flagged && draws.bernoulli(p_claim)) {
        // A claim lets the claimant stay while it is heard: news of an arrival.
        set_status(s, i, Status::kInAsylumProcessing);
        s.asylum_queues.join(static_cast<std::size_t>(omp_get_thread_num()), i, s.step,
                             asylum_queue(m, a.node[i]));
        ++here.claims;
        report_outcome(s, i, Outcome::kArrival);
      } else {
        set_status(s, i, Status::kReturned);
        ++here.returned;
        report_outcome(s, i, Outcome::kFailure);
      }
    }

    // Those left waiting slip past as the queue grows beyond what can be screened.
    const double excess = capacity > 0.0 ? demand / capacity - 1.0 : (demand > 0.0 ? 1.0 : 0.0);
    const double p_slip =
        excess > 0.0 ? -std::expm1(-policy.checkpoint_evasion_hazard[c] * excess) : 0.0;
    if (p_slip > 0.0) {
      const auto left = static_cast<std::int64_t>(waiting.size());
#pragma omp parallel for schedule(static) reduction(+ : here) if (left > kSerialBelow)
      for (std::int64_t k = 0; k < left; ++k) {
        const std::uint32_t i = waiting[static_cast<std::size_t>(k)];
        Draws draws(key, i);
        if (!draws.bernoulli(p_slip)) continue;
        here.evaded += watches_crossings;
        here.high_risk_missed += (a.flags[i] & kHighRisk) != 0;
        let_pass(m, s, i, checkpoint, node, draws);
      }
    }
    n += here;
    std::array<std::vector<double>, kAxisSeriesCount>& axis = s.tally.axis;
    axis[index(AxisSeries::kCheckpointScreened)][c] += static_cast<double>(count);
    axis[index(AxisSeries::kCheckpointApprehensions)][c] += static_cast<double>(here.apprehensions);
    axis[index(AxisSeries::kCheckpointReturned)][c] += static_cast<double>(here.returned);
    axis[index(AxisSeries::kCheckpointAsylumClaims)][c] += static_cast<double>(here.claims);
    axis[index(AxisSeries::kCheckpointSentBack)][c] += static_cast<double>(here.sent_back);
    axis[index(AxisSeries::kCheckpointEvaded)][c] += static_cast<double>(here.evaded);
  }
  s.tally.add(Series::kBorderEncounters, n.encounters);
  s.tally.add(Series::kApprehensions, n.apprehensions);
  s.tally.add(Series::kEvaded, n.evaded);
  s.tally.add(Series::kReturned, n.returned);
  s.tally.add(Series::kAsylumClaims, n.claims);
  s.tally.add(Series::kSentBack, n.sent_back);
  s.tally.add(Series::kFalsifiedDocsDetected, n.documents);
  s.tally.add(Series::kHighRiskDetected, n.high_risk_detected);
  s.tally.add(Series::kHighRiskMissed, n.high_risk_missed);
  s.tally.add(Series::kFalsePositives, n.false_positives);
}

}  // namespace migrasim
