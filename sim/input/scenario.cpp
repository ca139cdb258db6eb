#include "input/scenario.hpp"

#include <fstream>
#include <limits>
#include <sstream>

#include "input/composition.hpp"
#include "input/yaml_input.hpp"
#include "util/errors.hpp"
#include "util/quoting.hpp"

namespace migrasim {
namespace {

// Far above any real run, far below where sizes overflow: 2^31 agents.
constexpr std::int64_t kMaxAgents = std::int64_t{1} << 31;
constexpr std::int64_t kMaxReplicates = 100000;

LognormalSpec read_lognormal(const YamlField& field, LognormalSpec spec) {
  const YamlMap map(field);
  if (auto f = map.optional("median")) spec.median = f->number_at_least(0.0);
  if (auto f = map.optional("sigma")) spec.sigma = f->number_in(0.0, 10.0);
  map.finish();
  return spec;
}

BetaSpec read_beta(const YamlField& field, BetaSpec spec) {
  const YamlMap map(field);
  if (auto f = map.optional("mean")) spec.mean = f->number_in(1e-6, 1.0 - 1e-6);
  if (auto f = map.optional("concentration")) spec.concentration = f->number_in(1e-3, 1e6);
  map.finish();
  return spec;
}

NodeKind read_node_kind(const YamlField& field) {
  const std::string text = field.string();
  if (text == "origin") return NodeKind::kOrigin;
  if (text == "transit") return NodeKind::kTransit;
  if (text == "border") return NodeKind::kBorder;
  if (text == "destination") return NodeKind::kDestination;
  field.fail("unknown node kind " + quote(text) +
             "; allowed: origin, transit, border, destination");
}

void read_time(Scenario& s, const YamlField& field) {
  const YamlMap map(field);
  s.time.start = map.required("start").date();
  const YamlField end = map.required("end");
  s.time.end = end.date();
  if (s.time.end < s.time.start) {
    end.fail("the end date " + to_string(s.time.end) + " is before the start date " +
             to_string(s.time.start));
  }
  if (days_between(s.time.start, s.time.end) > kMaxDays) end.fail("runs are limited to 200 years");
  if (auto f = map.optional("step_days")) s.time.step_days = f->number_in(0.01, 365.0);
  map.finish();
}

void read_run(Scenario& s, const YamlField& field) {
  const YamlMap map(field);
  if (auto f = map.optional("seed")) {
    s.run.seed = static_cast<std::uint64_t>(f->integer_in(0, std::int64_t{1} << 53));
  }
  if (auto f = map.optional("replicates")) {
    s.run.replicates = static_cast<std::uint32_t>(f->integer_in(1, kMaxReplicates));
  }
  map.finish();
}

void read_population(Scenario& s, const YamlField& field) {
  const YamlMap map(field);
  s.population.agents = map.required("agents").integer_in(1, kMaxAgents);
  if (auto f = map.optional("persons_per_agent")) {
    s.population.persons_per_agent = f->number_in(1e-6, 1e9);
  }
  if (auto f = map.optional("savings_usd")) {
    s.population.savings_usd = read_lognormal(*f, s.population.savings_usd);
  }
  if (auto f = map.optional("risk_tolerance")) {
    s.population.risk_tolerance = read_beta(*f, s.population.risk_tolerance);
  }
  if (auto f = map.optional("asylum_claim_strength")) {
    s.population.asylum_claim_strength = read_beta(*f, s.population.asylum_claim_strength);
  }
  if (auto f = map.optional("falsified_documents_share"))
    s.population.falsified_documents_share = f->probability();
  if (auto f = map.optional("high_risk_share")) s.population.high_risk_share = f->probability();
  map.finish();
}

void read_regions(Scenario& s, const YamlField& field) {
  for (const YamlField& item : field.items()) {
    const YamlMap map(item);
    RegionSpec region;
    region.name = map.required("name").name();
    region.population_share = map.required("population_share").number_in(0.0, 1e12);
    const YamlField origin = map.required("origin");
    region.origin = origin.name();
    s.note(origin);
    const YamlMap push(map.required("push_factors"));
    region.economic_hardship = read_series(push.required("economic_hardship"), 0.0, 1.0);
    region.repression = read_series(push.required("repression"), 0.0, 1.0);
    push.finish();
    if (auto f = map.optional("exit_restriction"))
      region.exit_restriction = read_series(*f, 0.0, 1.0);
    map.finish();
    s.note(item);
    s.regions.push_back(std::move(region));
  }
}

void read_route(Scenario& s, const YamlField& field) {
  const YamlMap route(field);
  const YamlField nodes = route.required("nodes");
  const YamlField edges = route.required("edges");
  s.note(nodes);
  s.note(edges);
  for (const YamlField& item : nodes.items()) {
    const YamlMap map(item);
    NodeSpec node;
    node.name = map.required("name").name();
    node.kind = read_node_kind(map.required("kind"));
    if (auto rules = map.optional("visa_required")) {
      for (const YamlField& rule_field : rules->items()) {
        const YamlMap rule_map(rule_field);
        VisaRuleSpec rule;
        rule.regions = s.names(rule_map.required("regions"));
        rule.from = rule_map.required("from").date();
        if (auto until = rule_map.optional("until")) {
          rule.until = until->date();
          if (*rule.until <= rule.from) until->fail("'until' must come after 'from'");
        }
        rule.enforcement = read_visa_enforcement(rule_map);
        rule_map.finish();
        node.visa_required.push_back(std::move(rule));
      }
    }
    map.finish();
    s.note(item);
    s.nodes.push_back(std::move(node));
  }
  for (const YamlField& item : edges.items()) {
    const YamlMap map(item);
    EdgeSpec edge;
    const YamlField from = map.required("from");
    const YamlField to = map.required("to");
    edge.from = from.name();
    edge.to = to.name();
    s.note(from);
    s.note(to);
    edge.travel_days = read_varying(map.required("travel_days"), 0.0, kMaxDays);
    if (auto f = map.optional("cost_usd")) edge.cost_usd = read_varying(*f, 0.0, 1e9);
    if (auto f = map.optional("mortality_per_day"))
      edge.mortality_per_day = read_varying(*f, 0.0, 10.0);
    if (auto f = map.optional("choice_weight")) edge.choice_weight = read_varying(*f, 0.0, 1e9);
    if (auto f = map.optional("smuggler")) {
      const std::string rule = f->string();
      if (rule == "none") {
        edge.smuggler = SmugglerRule::kNever;
      } else if (rule == "optional") {
        edge.smuggler = SmugglerRule::kOptional;
      } else if (rule == "required") {
        edge.smuggler = SmugglerRule::kRequired;
      } else {
        f->fail("unknown smuggler rule " + quote(rule) + "; allowed: none, optional, required");
      }
    }
    map.finish();
    s.note(item);
    s.edges.push_back(std::move(edge));
  }
  route.finish();
}

void read_checkpoints(Scenario& s, const YamlField& field) {
  for (const YamlField& item : field.items(/*allow_empty=*/true)) {
    const YamlMap map(item);
    CheckpointSpec checkpoint;
    checkpoint.name = map.required("name").name();
    const YamlField node = map.required("node");
    checkpoint.node = node.name();
    s.note(node);
    const auto probability = [&map](std::string_view key, VaryingSpec& value) {
      if (auto f = map.optional(key)) value = read_varying(*f, 0.0, 1.0);
    };
    probability("detection_probability", checkpoint.detection_probability);
    if (auto f = map.optional("throughput_per_day")) {
      checkpoint.throughput_per_day = read_varying(*f, 0.0, 1e12);
    }
    probability("asylum_claim_probability", checkpoint.asylum_claim_probability);
    probability("document_sensitivity", checkpoint.document_sensitivity);
    probability("high_risk_sensitivity", checkpoint.high_risk_sensitivity);
    probability("false_positive_rate", checkpoint.false_positive_rate);
    if (auto f = map.optional("evasion_rate_per_day"))
      checkpoint.evasion_rate_per_day = read_varying(*f, 0.0, 100.0);
    if (auto f = map.optional("partners")) {
      for (const YamlField& partner : f->items(/*allow_empty=*/true)) {
        checkpoint.partners.push_back(partner.name());
        s.note(partner);
      }
    }
    probability("shared_data_match_rate", checkpoint.shared_data_match_rate);
    if (auto f = map.optional("return_to")) {
      checkpoint.return_to = f->name();
      s.note(*f);
    }
    // The terms of a return mean nothing without a node to return to.
    const auto return_term = [&](std::string_view key, VaryingSpec& value, double most) {
      if (auto f = map.optional(key)) {
        if (!checkpoint.return_to) f->fail("needs return_to: the node travellers are sent back to");
        value = read_varying(*f, 0.0, most);
        s.note(*f);
      }
    };
    return_term("return_probability", checkpoint.return_probability, 1.0);
    return_term("detention_days", checkpoint.detention_days, kMaxDays);
    return_term("return_cost_usd", checkpoint.return_cost_usd, 1e9);
    map.finish();
    s.note(item);
    s.checkpoints.push_back(std::move(checkpoint));
  }
}

void read_initial_stocks(Scenario& s, const YamlField& field) {
  for (const YamlField& item : field.items(/*allow_empty=*/true)) {
    const YamlMap map(item);
    InitialStockSpec stock;
    const YamlField node = map.required("node");
    stock.node = node.name();
    s.note(node);
    stock.persons = map.required("persons").number_in(0.0, 1e12);
    const YamlField region = map.required("region");
    stock.region = region.name();
    s.note(region);
    if (auto f = map.optional("status")) {
      const std::string status = f->string();
      if (status == "in_transit") {
        stock.status = StockStatus::kInTransit;
      } else if (status == "waiting_for_smuggler") {
        stock.status = StockStatus::kWaitingForSmuggler;
      } else {
        f->fail("unknown status " + quote(status) +
                " for an initial stock; allowed: in_transit, waiting_for_smuggler");
      }
    }
    map.finish();
    s.note(item);
    s.initial_stocks.push_back(std::move(stock));
  }
}

void read_communities(Scenario& s, const YamlField& field) {
  const YamlMap map(field);
  CommunitySpec& c = s.communities;
  if (auto f = map.optional("count")) c.count = f->integer_in(1, 10'000'000);
  if (auto f = map.optional("size_exponent")) c.size_exponent = f->number_in(0.0, 5.0);
  map.finish();
}

void read_information(Scenario& s, const YamlField& field) {
  const YamlMap map(field);
  InformationSpec& i = s.information;
  if (auto f = map.optional("initial_route_awareness"))
    i.initial_route_awareness = f->probability();
  if (auto f = map.optional("discovery_rate_per_day"))
    i.discovery_rate_per_day = f->number_in(0.0, 10.0);
  if (auto f = map.optional("contagion_rate_per_day"))
    i.contagion_rate_per_day = f->number_in(0.0, 10.0);
  if (auto f = map.optional("global_mixing")) i.global_mixing = f->probability();
  if (auto f = map.optional("guide_rate_per_day")) i.guide_rate_per_day = f->number_in(0.0, 1e6);
  if (auto f = map.optional("memory_days")) i.memory_days = f->number_in(0.01, kMaxDays);
  if (auto f = map.optional("learning_rate_per_day"))
    i.learning_rate_per_day = f->number_in(0.0, 100.0);
  if (auto f = map.optional("prior_success")) i.prior_success = f->probability();
  if (auto f = map.optional("prior_danger")) i.prior_danger = f->probability();
  if (auto f = map.optional("prior_weight")) i.prior_weight = f->number_in(1e-6, 1e9);
  if (auto f = map.optional("death_salience")) i.death_salience = f->number_in(0.0, 1e6);
  if (auto f = map.optional("initial_legal_awareness"))
    i.initial_legal_awareness = f->probability();
  if (auto f = map.optional("legal_awareness_rate_per_day")) {
    i.legal_awareness_rate_per_day = f->number_in(0.0, 10.0);
  }
  map.finish();
}

void read_smugglers(Scenario& s, const YamlField& field) {
  for (const YamlField& item : field.items(/*allow_empty=*/true)) {
    const YamlMap map(item);
    SmugglerSpec n;
    n.name = map.required("name").name();
    for (const YamlField& edge : map.required("covers").items()) {
      const auto pair = edge.items();
      if (pair.size() != 2) edge.fail("an edge is written [from, to]");
      n.covers.emplace_back(pair[0].name(), pair[1].name());
      s.note(edge);
    }
    if (auto f = map.optional("capacity_per_day")) n.capacity_per_day = f->number_in(0.0, 1e9);
    if (auto f = map.optional("fee_usd")) n.fee_usd = f->number_in(0.0, 1e7);
    if (auto f = map.optional("initial_reputation")) n.initial_reputation = f->probability();
    const auto varying = [&map](std::string_view key, VaryingSpec& value, double low, double high) {
      if (auto f = map.optional(key)) value = read_varying(*f, low, high);
    };
    varying("min_fee_usd", n.min_fee_usd, 0.0, 1e7);
    varying("max_fee_usd", n.max_fee_usd, 0.0, 1e7);
    varying("price_response_per_day", n.price_response_per_day, 0.0, 10.0);
    varying("cost_per_client_usd", n.cost_per_client_usd, 0.0, 1e7);
    varying("recruitment_rate_per_day", n.recruitment_rate_per_day, 0.0, 10.0);
    varying("max_capacity_per_day", n.max_capacity_per_day, 0.0, 1e9);
    varying("enforcement_loss_rate_per_day", n.enforcement_loss_rate_per_day, 0.0, 10.0);
    varying("coercion_probability", n.coercion_probability, 0.0, 1.0);
    varying("coercion_probability_in_debt", n.coercion_probability_in_debt, 0.0, 1.0);
    varying("client_mortality_multiplier", n.client_mortality_multiplier, 0.0, 100.0);
    varying("advertising_rate_per_day", n.advertising_rate_per_day, 0.0, 10.0);
    varying("falsified_documents_probability", n.falsified_documents_probability, 0.0, 1.0);
    map.finish();
    // Bounds that vary must never cross.
    if (n.min_fee_usd.highest() > n.max_fee_usd.lowest())
      item.fail("min_fee_usd is above max_fee_usd");
    if (n.capacity_per_day > n.max_capacity_per_day.initial())
      item.fail("capacity_per_day is above max_capacity_per_day");
    if (n.fee_usd < n.min_fee_usd.initial() || n.fee_usd > n.max_fee_usd.initial()) {
      item.fail("fee_usd must lie between min_fee_usd and max_fee_usd");
    }
    s.note(item);
    s.smugglers.push_back(std::move(n));
  }
}

void read_legal_pathways(Scenario& s, const YamlField& field) {
  for (const YamlField& item : field.items(/*allow_empty=*/true)) {
    const YamlMap map(item);
    LegalPathwaySpec p;
    p.name = map.required("name").name();
    p.capacity_per_day = read_varying(map.required("capacity_per_day"), 0.0, 1e9);
    if (auto f = map.optional("min_claim_strength"))
      p.min_claim_strength = read_varying(*f, 0.0, 1.0);
    if (auto f = map.optional("regions")) p.regions = s.names(*f);
    p.from = s.time.start;
    if (auto f = map.optional("from")) p.from = f->date();
    if (auto f = map.optional("until")) {
      p.until = f->date();
      if (*p.until <= p.from) f->fail("'until' must come after 'from'");
    }
    if (auto f = map.optional("wait_days")) p.wait_days = read_varying(*f, 0.0, kMaxDays);
    map.finish();
    s.note(item);
    s.legal_pathways.push_back(std::move(p));
  }
}

void read_interventions(Scenario& s, const YamlField& field) {
  const auto items = field.items(/*allow_empty=*/true);
  for (std::size_t k = 0; k < items.size(); ++k) {
    const YamlField& item = items[k];
    const YamlMap map(item);
    InterventionSpec v;
    const YamlField type = map.required("type");
    auto parameters = intervention_parameters_of_type(type.string());
    if (!parameters) {
      type.fail("unknown intervention type " + quote(type.string()) +
                "; allowed: " + intervention_type_names());
    }
    v.parameters = std::move(*parameters);
    v.name = map.has("name") ? map.required("name").name()
                             : std::string(v.type()) + "_" + std::to_string(k);
    v.start = map.required("start").date();
    if (auto f = map.optional("end")) {
      v.end = f->date();
      if (*v.end < v.start) f->fail("'end' is before 'start'");
    }
    v.cost_usd_per_day = map.non_negative_or("cost_usd_per_day", v.cost_usd_per_day);
    std::visit([&](auto& own) { read_parameters(own, map, s); }, v.parameters);
    map.finish();
    s.note(item);
    s.interventions.push_back(std::move(v));
  }
}

void read_decisions(Scenario& s, const YamlField& field) {
  const YamlMap map(field);
  DecisionSpec& d = s.decisions;
  if (auto f = map.optional("base_rate_per_day")) d.base_rate_per_day = f->number_in(0.0, 10.0);
  if (auto f = map.optional("hardship_weight")) d.hardship_weight = f->number_in(-50.0, 50.0);
  if (auto f = map.optional("repression_weight")) d.repression_weight = f->number_in(-50.0, 50.0);
  if (auto f = map.optional("success_weight")) d.success_weight = f->number_in(-50.0, 50.0);
  if (auto f = map.optional("danger_weight")) {
    d.danger_weight = f->number_in(-1000.0, 1000.0);
    s.note(*f);
  }
  if (auto f = map.optional("cost_elasticity")) d.cost_elasticity = f->number_in(0.0, 20.0);
  if (auto f = map.optional("give_up_after_days"))
    d.give_up_after_days = f->number_in(0.0, kMaxDays);
  if (auto f = map.optional("route_cost_sensitivity"))
    d.route_cost_sensitivity = f->number_in(0.0, 100.0);
  if (auto f = map.optional("smuggler_preference")) d.smuggler_preference = f->probability();
  if (auto f = map.optional("smuggler_wait_days"))
    d.smuggler_wait_days = f->number_in(0.0, kMaxDays);
  if (auto f = map.optional("reattempt_probability")) d.reattempt_probability = f->probability();
  if (auto f = map.optional("reattempt_factor_per_return"))
    d.reattempt_factor_per_return = f->number_in(0.0, 1.0);
  if (auto f = map.optional("reattempt_savings_usd"))
    d.reattempt_savings_usd = f->number_in(0.0, 1e9);
  if (auto f = map.optional("go_home_probability")) d.go_home_probability = f->probability();
  map.finish();
}

// One system's keys; `listed`: an entry of the list form, which names the
// system and its nodes.
AsylumSystemSpec read_asylum_system(Scenario& s, const YamlField& field, bool listed) {
  const YamlMap map(field);
  AsylumSystemSpec a;
  if (listed) {
    a.name = map.required("name").name();
    a.nodes = s.names(map.required("nodes"));
    if (a.nodes.empty()) map.required("nodes").fail("an asylum system names at least one node");
  }
  if (auto f = map.optional("capacity_per_day")) a.capacity_per_day = read_varying(*f, 0.0, 1e12);
  if (auto f = map.optional("min_processing_days")) {
    a.min_processing_days = read_varying(*f, 0.0, kMaxDays);
  }
  const auto varying = [&map](std::string_view key, VaryingSpec& value, double low, double high) {
    if (auto f = map.optional(key)) value = read_varying(*f, low, high);
  };
  varying("claim_probability_multiplier", a.claim_probability_multiplier, 0.0, 1e3);
  varying("grant_probability_multiplier", a.grant_probability_multiplier, 0.0, 1e3);
  varying("min_claim_strength", a.min_claim_strength, 0.0, 1.0);
  varying("removal_probability", a.removal_probability, 0.0, 1.0);
  varying("removal_cost_usd", a.removal_cost_usd, 0.0, 1e9);
  map.finish();
  s.note(field);
  return a;
}

void read_asylum(Scenario& s, const YamlField& field) {
  s.asylum.clear();
  if (!field.is_sequence()) {
    s.asylum.push_back(read_asylum_system(s, field, /*listed=*/false));
    return;
  }
  s.asylum_is_list = true;
  for (const YamlField& item : field.items()) {
    s.asylum.push_back(read_asylum_system(s, item, /*listed=*/true));
  }
}

}  // namespace

const char* to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::kOrigin:
      return "origin";
    case NodeKind::kTransit:
      return "transit";
    case NodeKind::kBorder:
      return "border";
    case NodeKind::kDestination:
      return "destination";
  }
  return "?";
}

const std::string& Scenario::locate(const std::string& path) const {
  static const std::string unknown = "<scenario>";
  const auto it = locations.find(path);
  return it == locations.end() ? (file.empty() ? unknown : file) : it->second;
}

void Scenario::fail(const std::string& path, const std::string& message) const {
  throw InputError(locate(path) + ": " + path + ": " + message);
}

void Scenario::note(const YamlField& field) { locations[field.path()] = field.location(); }

std::vector<std::string> Scenario::names(const YamlField& list) {
  std::vector<std::string> names;
  for (const YamlField& item : list.items()) {
    names.push_back(item.name());
    note(item);
  }
  return names;
}

namespace {

Scenario read_scenario(ComposedDocument document, const std::string& file,
                       const std::vector<std::string>& overrides) {
  YAML::Node& root = document.root;
  std::shared_ptr<YamlSource> source = document.source;
  for (const std::string& assignment : overrides) {
    source->overrides[apply_override(root, assignment)] = "--set " + assignment;
  }

  Scenario s;
  s.file = file;
  // What ran: the file as written, or for a scenario built on others the merged
  // document (every file's own text is kept too).
  s.text = document.files.size() == 1 ? document.files.front().second : YAML::Dump(root) + "\n";
  s.source_files = std::move(document.files);
  s.overrides = overrides;
  const YamlMap top(YamlField(root, "", source));
  s.name = top.string_or("name", "scenario");
  s.description = top.string_or("description", "");
  read_time(s, top.required("time"));
  if (auto f = top.optional("run")) read_run(s, *f);
  read_population(s, top.required("population"));
  const YamlField regions = top.required("regions");
  s.note(regions);
  read_regions(s, regions);
  read_route(s, top.required("route"));
  if (auto f = top.optional("checkpoints")) read_checkpoints(s, *f);
  if (auto f = top.optional("smugglers")) read_smugglers(s, *f);
  if (auto f = top.optional("legal_pathways")) read_legal_pathways(s, *f);
  if (auto f = top.optional("interventions")) read_interventions(s, *f);
  if (auto f = top.optional("initial_stocks")) read_initial_stocks(s, *f);
  if (auto f = top.optional("communities")) read_communities(s, *f);
  if (auto f = top.optional("information")) read_information(s, *f);
  if (auto f = top.optional("decisions")) {
    s.note(*f);
    read_decisions(s, *f);
  }
  if (auto f = top.optional("asylum")) read_asylum(s, *f);
  top.finish();
  return s;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& file,
                        const std::vector<std::string>& overrides) {
  return read_scenario(compose_document(text, file), file, overrides);
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return read_scenario(load_composed_document(path), path, overrides);
}

Scenario scenario_from_document(const ComposedDocument& document, const std::string& file,
                                const std::vector<std::string>& overrides) {
  // YAML nodes share their data when copied, and assigning to a copy writes
  // through to the original: build the copy from a clone, never assign.
  ComposedDocument copy{YAML::Clone(document.root), std::make_shared<YamlSource>(*document.source),
                        document.files};
  return read_scenario(std::move(copy), file, overrides);
}

}  // namespace migrasim
