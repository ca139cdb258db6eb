// reads: state.smuggler_queues, agents.status, agents.status_step, agents.smuggler, agents.edge,
//        agents.savings_usd,
//        smugglers (capacity, fee_usd, outcomes of the step before), state.counts
// writes: agents.status, agents.status_step, agents.steps_left, agents.due_step, agents.flags,
//         agents.savings_usd, smugglers (all), tally[smuggled_departures,
//         smuggler_revenue_usd, smuggler_capacity, mean_smuggling_fee_usd], state.transit,
//         state.counts
//
// The smuggler market. Travellers waiting for a place with network k (demand
// D_k, those in its queues on edges open this step: waiting_queues.hpp) are
// taken on up to its capacity C_k, chosen uniformly at random when demand
// exceeds it (with rationing.hpp's rule for a fractional capacity). A client pays the fee F_k from
// savings; one who cannot pay in full runs into debt (negative savings). Clients end up coerced
// (debt bondage, forced service) with coercion_probability, or coercion_probability_in_debt when in
// debt. Then each network adapts:
//   fee:        F <- clamp(F * exp(price_response * (D / C - 1)), min_fee, max_fee)
//               (D / C taken as 2 when a network with no capacity has demand)
//   capacity:   C <- C * (1 + recruitment * min(1, D / C) * max(0, (F - cost) / F)) * (1 - loss)
//               capped at max_capacity; loss combines enforcement_loss_rate with
//               a task force's arrests (policy.arrest_probability)
//   reputation: (w0 r0 + S) / (w0 + S + L), S and L clients' arrivals and losses
//               (deaths, returns, removals) remembered with the information memory
// and its advertising (advertising_rate * reputation) adds to everyone's hazard
// of learning the route in the next step's information stage.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/agent_scan.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "engine/status_change.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

void take_on_clients(const Model& m, State& s) {
  Agents& a = s.agents;
  Smugglers& net = s.smugglers;
  const std::size_t nnetworks = m.network_count();
  WaitingQueues& queues = s.smuggler_queues;
  std::vector<std::size_t>& open = s.smuggler_open_queues;
  std::vector<std::uint32_t>& clients = s.smuggler_clients;
  const StreamKey queue_key = stream(m, s, StreamId::kSmugglerQueue);
  const StreamKey key = stream(m, s, StreamId::kSmugglers);
  std::int64_t first_hires = 0;
  double revenue_usd = 0.0;
  std::vector<double>& clients_of = s.tally.axis[index(AxisSeries::kNetworkClients)];
  std::vector<double>& revenue_of = s.tally.axis[index(AxisSeries::kNetworkRevenueUsd)];
  for (std::size_t k = 0; k < nnetworks; ++k) {
    // Its queues on the edges open this step: nobody is taken across an edge
    // closed this step.
    open.clear();
    std::int64_t demand = 0;
    for (std::size_t q = 0; q < queues.queues(); ++q) {
      if (m.edge_networks[q] != k || s.policy.edge_closed[smuggler_queue_edge(m, q)]) continue;
      open.push_back(q);
      demand += queues.waiting(q);
    }
    net.demand[k] = demand;
    net.intake_capacity[k] = net.capacity[k];
    // A uniformly random `capacity` of them (rationing.hpp's rule for a
    // fractional capacity), or all when they are fewer.
    const double capacity = net.capacity[k];
    Draws places = pool_draws(queue_key, k);
    const std::int64_t keep =
        capacity < static_cast<double>(demand) ? places_this_step(capacity, places) : demand;
    queues.choose(a, open, keep, std::numeric_limits<std::int32_t>::max(), places, queue_key,
                  clients);
    const auto count = static_cast<std::int64_t>(clients.size());
    net.taken[k] = count;
    const auto fee = static_cast<float>(net.fee_usd[k]);
    const double p_coerced = s.policy.network_coercion_probability[k];
    const double p_coerced_in_debt = s.policy.network_coercion_probability_in_debt[k];
    const double p_falsified = s.policy.network_falsified_documents_probability[k];
#pragma omp parallel for schedule(static) reduction(+ : first_hires) if (count > kSerialBelow)
    for (std::int64_t c = 0; c < count; ++c) {
      const std::uint32_t i = clients[static_cast<std::size_t>(c)];
      Draws draws(key, i);
      first_hires += (a.flags[i] & kHiredSmuggler) == 0;
      a.flags[i] |= kHiredSmuggler;
      const bool in_debt = a.savings_usd[i] < fee;
      a.savings_usd[i] -= fee;
      if (draws.bernoulli(in_debt ? p_coerced_in_debt : p_coerced)) a.flags[i] |= kCoerced;
      if (draws.bernoulli(p_falsified)) a.flags[i] |= kFalsifiedDocuments;
      travel_with_smuggler(s, i, a.edge[i], draws);
    }
    const double revenue = static_cast<double>(count) * m.persons_per_agent * net.fee_usd[k];
    revenue_usd += revenue;
    clients_of[k] += static_cast<double>(count);
    revenue_of[k] += revenue;
  }
  // Each traveller once, however many networks it hires on the way.
  s.tally.add(Series::kSmuggledDepartures, first_hires);
  s.tally.add(Series::kSmugglerRevenueUsd, revenue_usd);
}

void adapt_networks(const Model& m, State& s) {
  Smugglers& net = s.smugglers;
  const double w0 = m.info_prior_weight;
  double capacity_total = 0.0, weighted_fee = 0.0;
  net.advertising_hazard = 0.0;
  for (std::size_t k = 0; k < m.network_count(); ++k) {
    const double capacity = net.capacity[k];
    const double demand = static_cast<double>(net.demand[k]);
    const double pressure = capacity > 0.0 ? demand / capacity : (demand > 0.0 ? 2.0 : 0.0);
    const double fee =
        std::clamp(net.fee_usd[k] * std::exp(s.policy.network_price_response[k] * (pressure - 1.0)),
                   s.policy.network_min_fee_usd[k], s.policy.network_max_fee_usd[k]);
    const double margin =
        fee > 0.0 ? std::max(0.0, (fee - s.policy.network_cost_per_client_usd[k]) / fee) : 0.0;
    const double grown =
        capacity * (1.0 + s.policy.network_recruitment[k] * std::min(1.0, pressure) * margin);
    const double lost =
        1.0 - (1.0 - s.policy.network_loss_probability[k]) * (1.0 - s.policy.arrest_probability[k]);
    net.capacity[k] = std::min(s.policy.network_max_capacity[k], grown * (1.0 - lost));
    net.fee_usd[k] = fee;

    // In persons, like the prior's weight (see feedback.cpp).
    net.remembered_successes[k] = m.info_memory_decay * net.remembered_successes[k] +
                                  m.persons_per_agent * static_cast<double>(net.successes[k]);
    net.remembered_failures[k] = m.info_memory_decay * net.remembered_failures[k] +
                                 m.persons_per_agent * static_cast<double>(net.failures[k]);
    net.successes[k] = net.failures[k] = 0;
    net.reputation[k] = (w0 * m.network_initial_reputation[k] + net.remembered_successes[k]) /
                        (w0 + net.remembered_successes[k] + net.remembered_failures[k]);
    net.advertising_hazard += s.policy.network_advertising_hazard[k] * net.reputation[k];

    capacity_total += net.capacity[k];
    weighted_fee += net.capacity[k] * fee;
  }
  // Capacity in persons per day, as a planner would quote it.
  s.tally.add(Series::kSmugglerCapacity, capacity_total * m.persons_per_agent / m.step_days);
  s.tally.add(Series::kMeanSmugglingFeeUsd,
              capacity_total > 0.0 ? weighted_fee / capacity_total : 0.0);
}

}  // namespace

void run_smuggler_market(const Model& m, State& s) {
  if (m.network_count() == 0) return;
  s.smuggler_queues.settle();
  if (agents_in(s, Status::kWaitingForSmuggler) > 0) {
    take_on_clients(m, s);
  } else {
    // Nobody waits for a place: what take_on_clients would find, without
    // looking at the queues (whose entries are all dead).
    s.smuggler_queues.clear();
    Smugglers& net = s.smugglers;
    for (std::size_t k = 0; k < m.network_count(); ++k) {
      net.demand[k] = net.taken[k] = 0;
      net.intake_capacity[k] = net.capacity[k];
    }
  }
  adapt_networks(m, s);
}

}  // namespace migrasim
