// Strict reading of YAML documents into plain structs.
//
// yaml-cpp is permissive in ways that hide mistakes in hand-edited files: it
// keeps duplicate keys, accepts `yes` as true and `010` as 8, and reports no
// position for a missing key. These types read a document the way a careful
// reviewer would: every value is checked for its type and range, every map
// must use each of its keys exactly once, and every error names
// `file:line:column: key.path: what is wrong and what is allowed`.
// Values that came from a `--set` override are reported as such instead.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/dates.hpp"

namespace migrasim {

// Where a document came from, for error messages. Values that did not come
// from `file` (a `--set` option, a scenario extending another) are listed in
// `overrides` by canonical key path with the place they came from.
struct YamlSource {
  std::string file;  // the path as the user gave it
  std::string text;  // the full document text
  // key path -> "--set path=value" or "file:line:column"
  std::map<std::string, std::string> overrides;

  // The place recorded for `path` or its nearest recorded ancestor, if any.
  const std::string* recorded_location(const std::string& path) const;
};

// The most a scenario or sweep file may hold.
inline constexpr std::size_t kMaxDocumentBytes = 16u << 20;

// Reads a stream to its end, but no further than one byte past
// kMaxDocumentBytes: enough for load_yaml_document to refuse an oversized file
// without reading an endless one (/dev/zero, a pipe that never closes) forever.
std::string read_document_text(std::istream& in);

// Reads a document, turning parse errors, empty, binary or oversized files into
// InputError with a position.
YAML::Node load_yaml_document(const YamlSource& source);

// A value in the document and the key path that leads to it.
class YamlField {
 public:
  YamlField(YAML::Node node, std::string path, std::shared_ptr<const YamlSource> source);

  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const YamlSource& source() const { return *source_; }
  const std::shared_ptr<const YamlSource>& source_ptr() const { return source_; }

  // "file:line:column" (1-based), or the --set option that supplied the value.
  std::string location() const;
  [[noreturn]] void fail(const std::string& message) const;

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }

  std::string string() const;  // a non-empty plain or quoted scalar
  std::string name() const;    // a string usable as an identifier: [A-Za-z0-9_-]+
  double number() const;       // finite
  double number_at_least(double low) const;
  double number_in(double low, double high) const;
  double probability() const { return number_in(0.0, 1.0); }
  std::int64_t integer() const;  // also accepts 1e6, 1_000_000 when integral
  std::int64_t integer_in(std::int64_t low, std::int64_t high) const;
  bool boolean() const;  // true or false only
  Date date() const;     // YYYY-MM-DD
  // Any single value exactly as written, as --set text (sweep and calibration
  // files carry overrides of the scenario).
  std::string override_text() const;

  // Elements of a sequence, each with its path `path[i]`. Fails if not a sequence
  // or if empty when `allow_empty` is false.
  std::vector<YamlField> items(bool allow_empty = false) const;

 private:
  std::string scalar(const char* expected) const;

  YAML::Node node_;
  std::string path_;
  std::shared_ptr<const YamlSource> source_;
};

// A mapping whose keys are checked: duplicates are an error when it is read,
// keys never asked for are an error at finish().
class YamlMap {
 public:
  explicit YamlMap(const YamlField& field);

  YamlField required(std::string_view key) const;
  std::optional<YamlField> optional(std::string_view key) const;
  bool has(std::string_view key) const;

  double probability_or(std::string_view key, double fallback) const;
  double non_negative_or(std::string_view key, double fallback) const;
  std::string string_or(std::string_view key, std::string fallback) const;

  // Every entry in document order, for maps whose keys are data (the dates of
  // a time series). `key_field` locates the key itself, for errors about it.
  // Marks every key as used.
  struct Entry {
    std::string key;
    YamlField key_field;
    YamlField value;
  };
  std::vector<Entry> entries() const;

  // Fails on the first key that no call asked for, suggesting the closest
  // allowed key.
  void finish() const;

  const YamlField& field() const { return field_; }

 private:
  std::optional<std::size_t> find(std::string_view key) const;
  YamlField child(std::size_t index) const;

  YamlField field_;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
  std::vector<YAML::Node> keys_;
  mutable std::vector<bool> used_;
  mutable std::vector<std::string> asked_;
};

// Applies `path=value` to the document before it is read. Path segments are
// separated by dots; a sequence element is addressed by index (`edges.3` or
// `edges[3]`) or by the value of its `name` key (`route.nodes.border`). Missing
// mappings on the way are created, so optional sections can be set too.
// Returns the canonical key path (`route.edges[3].travel_days`) so errors can
// point back at the option.
std::string apply_override(YAML::Node& root, const std::string& assignment);

// A path written in `file`: relative to the file's folder unless absolute.
std::string path_beside(const std::string& file, const std::string& path);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace migrasim
