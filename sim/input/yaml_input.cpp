#include "input/yaml_input.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <new>
#include <sstream>
#include <utility>

#include "util/errors.hpp"
#include "util/quoting.hpp"

namespace migrasim {
namespace {

std::string format_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return quote(node.Scalar());
    default:
      return "an undefined value";
  }
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// yaml-cpp tags non-plain (quoted) scalars "!"; a quoted "12" is a string.
bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

// yaml-cpp 0.7 accepts a quoted scalar that runs to the end of the file,
// swallowing every key after it, so the user would hear of a missing key
// instead. Each quoted scalar of the tree is checked for its closing quote.
std::optional<YAML::Mark> find_unclosed_quote(const YAML::Node& node, const std::string& text) {
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (auto m = find_unclosed_quote(it->first, text)) return m;
      if (auto m = find_unclosed_quote(it->second, text)) return m;
    }
  } else if (node.IsSequence()) {
    for (const auto& child : node) {
      if (auto m = find_unclosed_quote(child, text)) return m;
    }
  } else if (node.IsScalar() && is_quoted(node) && !node.Mark().is_null()) {
    const auto pos = static_cast<std::size_t>(node.Mark().pos);
    if (pos >= text.size() || (text[pos] != '"' && text[pos] != '\'')) return std::nullopt;
    const char quote = text[pos];
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
      if (quote == '"' && text[i] == '\\') {
        ++i;
      } else if (text[i] == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;  // '' is an escaped quote inside single quotes
        } else {
          return std::nullopt;
        }
      }
    }
    return node.Mark();
  }
  return std::nullopt;
}

// Aliases (`*name`) let one value stand in many places, even inside itself.
// Everything after the parser walks the tree as if it were written out in
// full, so a value that contains itself would be walked forever, and a few
// lines of aliases of aliases can stand for billions of values. Both are
// refused here, before anything else walks the tree: the walk stops at a depth
// no scenario comes near and after a number of values no document without
// aliases reaches for its size.
constexpr std::size_t kMaxNesting = 256;
constexpr std::size_t kMinValueBudget = 1u << 18;
// Values a document may hold as written (aliases not expanded).
constexpr std::size_t kMaxValues = 1u << 18;

struct AliasCheck {
  std::vector<YAML::Node> ancestors;  // the containers from the root down to the current one
  std::size_t limit;                  // values allowed in all
  std::size_t budget;                 // values still allowed
  std::string problem;
  YAML::Mark mark;
};

bool walk_expanded(const YAML::Node& node, AliasCheck& check) {
  if (check.budget-- == 0) {
    check.problem = "aliases (*name) expand the document to over " + std::to_string(check.limit) +
                    " values; write the values out instead";
    check.mark = node.Mark();
    return false;
  }
  if (!node.IsMap() && !node.IsSequence()) return true;
  if (check.ancestors.size() >= kMaxNesting) {
    check.problem = "nesting is too deep (scenarios nest a few levels; this is hundreds)";
    check.mark = node.Mark();
    // Only a value that contains itself nests without end: say so.
    for (std::size_t i = 0; i < check.ancestors.size(); ++i) {
      for (std::size_t j = i + 1; j < check.ancestors.size(); ++j) {
        if (check.ancestors[i].is(check.ancestors[j])) {
          check.problem =
              "an alias (*name) in this value refers to the value itself, which would make it "
              "infinite";
          check.mark = check.ancestors[i].Mark();
          return false;
        }
      }
    }
    return false;
  }
  check.ancestors.push_back(node);
  bool ok = true;
  if (node.IsMap()) {
    for (auto it = node.begin(); ok && it != node.end(); ++it) {
      ok = walk_expanded(it->first, check) && walk_expanded(it->second, check);
    }
  } else {
    for (auto it = node.begin(); ok && it != node.end(); ++it) ok = walk_expanded(*it, check);
  }
  check.ancestors.pop_back();
  return ok;
}

// The problem with `root`'s aliases or nesting, if any, with its position.
std::optional<std::pair<YAML::Mark, std::string>> check_expansion(const YAML::Node& root,
                                                                  std::size_t text_size) {
  const std::size_t limit = std::max(kMinValueBudget, 4 * text_size);
  AliasCheck check{{}, limit, limit, {}, {}};
  if (walk_expanded(root, check)) return std::nullopt;
  return std::make_pair(check.mark, check.problem);
}

}  // namespace

std::string read_document_text(std::istream& in) {
  std::string text;
  char buffer[1 << 16];
  while (text.size() <= kMaxDocumentBytes) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (!in) break;
  }
  return text;
}

namespace {

// A first pass over the parser's events, before yaml-cpp builds its tree:
// the tree costs several hundred bytes per value, so a 16 MiB file of `[1,1,...]`
// would take gigabytes before anything could refuse it. The events are counted
// and the pass stops at kMaxValues; every string is checked for NUL and strict
// UTF-8 (an escape such as "\0" or "\ud800" in a quoted string produces what
// the file's bytes cannot hold).
class EventCheck final : public YAML::EventHandler {
 public:
  struct Problem {
    YAML::Mark mark;
    std::string message;
  };

  void OnDocumentStart(const YAML::Mark& mark) override { document_start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string& value) override {
    count(mark);
    if (value.find('\0') != std::string::npos) {
      throw Problem{mark, "a string holds a NUL character (\\0), which no value may contain"};
    }
    if (!is_valid_utf8(value)) {
      throw Problem{mark,
                    "a string is not valid UTF-8 (an escape gives a surrogate or an invalid "
                    "code point)"};
    }
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnMapEnd() override {}

 private:
  void count(const YAML::Mark& mark) {
    if (++values_ > kMaxValues) {
      throw Problem{mark, "the document holds over " + std::to_string(kMaxValues) +
                              " values, far more than any scenario or sweep needs"};
    }
  }
  std::size_t values_ = 0;

 public:
  YAML::Mark document_start;  // of the latest document
};

// Old Mac OS line ends (CR alone) are not line breaks to yaml-cpp, which reads
// such a file as one line: usually one comment, so "empty".
std::optional<YAML::Mark> find_lone_carriage_return(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) {
      YAML::Mark mark;
      mark.pos = static_cast<int>(i);
      mark.line = static_cast<int>(
          std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(i), '\n'));
      const std::size_t line_start = text.rfind('\n', i);
      mark.column = static_cast<int>(line_start == std::string::npos ? i : i - line_start - 1);
      return mark;
    }
  }
  return std::nullopt;
}

}  // namespace

YAML::Node load_yaml_document(const YamlSource& source) {
  const std::string& text = source.text;
  const std::string file = excerpt(source.file, 4096);
  if (text.size() > kMaxDocumentBytes) {
    throw InputError(file + ": the file is larger than " + std::to_string(kMaxDocumentBytes >> 20) +
                     " MiB, the limit for scenario and sweep files");
  }
  if (text.find('\0') != std::string::npos || !is_valid_utf8(text)) {
    throw InputError(file + ":1:1: not a YAML text file (binary content or invalid UTF-8)");
  }
  if (const auto cr = find_lone_carriage_return(text)) {
    throw InputError(format_location(file, *cr) +
                     ": a line ends in a carriage return alone (old Mac OS line ends); "
                     "YAML needs LF or CR LF");
  }
  YAML::Node root;
  try {
    {
      std::istringstream stream(text);
      YAML::Parser parser(stream);
      EventCheck check;
      if (parser.HandleNextDocument(check) && parser.HandleNextDocument(check)) {
        throw InputError(format_location(file, check.document_start) +
                         ": invalid YAML: a second document begins here (after a `---` or `...` "
                         "line); a scenario or sweep file is one document");
      }
    }
    root = YAML::Load(text);
  } catch (const EventCheck::Problem& problem) {
    throw InputError(format_location(file, problem.mark) + ": invalid YAML: " + problem.message);
  } catch (const YAML::DeepRecursion& e) {
    throw InputError(
        format_location(file, e.mark) +
        ": invalid YAML: nesting is too deep (scenarios nest a few levels; this is hundreds)");
  } catch (const YAML::Exception& e) {
    throw InputError(format_location(file, e.mark) + ": invalid YAML: " + excerpt(e.msg, 200));
  } catch (const std::bad_alloc&) {
    throw InputError(file + ": out of memory while reading the file");
  }
  if (const auto problem = check_expansion(root, text.size())) {
    throw InputError(format_location(file, problem->first) + ": invalid YAML: " + problem->second);
  }
  if (const auto open = find_unclosed_quote(root, text)) {
    throw InputError(format_location(file, *open) +
                     ": invalid YAML: this quoted string is never closed");
  }
  if (!root || root.IsNull()) {
    throw InputError(file + ":1:1: the file is empty; expected a mapping of keys");
  }
  if (!root.IsMap()) {
    // A file that is one value is likely not a scenario at all (a key, a
    // password list named by mistake): none of it is quoted.
    throw InputError(format_location(file, root.Mark()) +
                     ": expected a mapping of keys at the top level, got " +
                     (root.IsScalar() ? "one value of " + std::to_string(root.Scalar().size()) +
                                            " characters (is this a scenario file?)"
                                      : describe(root)));
  }
  return root;
}

YamlField::YamlField(YAML::Node node, std::string path, std::shared_ptr<const YamlSource> source)
    : node_(std::move(node)), path_(std::move(path)), source_(std::move(source)) {}

const std::string* YamlSource::recorded_location(const std::string& path) const {
  // The longest recorded key path that is `path` or one of its ancestors.
  const std::string* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& [key, place] : overrides) {
    const bool covers = path == key || (path.size() > key.size() && path.starts_with(key) &&
                                        (path[key.size()] == '.' || path[key.size()] == '['));
    if (covers && (best == nullptr || key.size() >= best_length)) {
      best = &place;
      best_length = key.size();
    }
  }
  return best;
}

std::string YamlField::location() const {
  // A value set by --set or by an extending scenario did not come from `file`.
  if (const std::string* place = source_->recorded_location(path_)) return *place;
  // A section that --set created has no position in the file.
  if (node_.Mark().is_null()) {
    for (const auto& [key, option] : source_->overrides) {
      if (key.starts_with(path_ + ".") || key.starts_with(path_ + "[")) return option;
    }
  }
  return format_location(source_->file, node_.Mark());
}

void YamlField::fail(const std::string& message) const {
  // The path is made of the file's keys: any text, of any length.
  throw InputError(location() + ": " + (path_.empty() ? "(top level)" : excerpt(path_, 200)) +
                   ": " + message);
}

std::string YamlField::scalar(const char* expected) const {
  if (!node_.IsScalar()) fail(std::string("expected ") + expected + ", got " + describe(node_));
  return node_.Scalar();
}

std::string YamlField::override_text() const {
  if (!node_.IsScalar()) fail("expected a single value (a number, date, name or true/false)");
  return node_.Scalar();
}

std::string YamlField::string() const {
  std::string value = scalar("a string");
  if (value.empty()) fail("expected a non-empty string");
  // Strings reach terminals (summaries, messages) and output attributes: no
  // escape sequences, bells or carriage returns. Tabs and line breaks are text.
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    const bool c1 =
        c == 0xC2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) < 0xA0;
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F || c1) {
      fail("a string may not hold control characters (here " +
           quote(std::string_view(value).substr(i, c1 ? 2 : 1)) + ", at byte " + std::to_string(i) +
           ")");
    }
  }
  return value;
}

std::string YamlField::name() const {
  std::string value = string();
  const bool ok = std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  if (!ok) fail(quote(value) + " is not a valid name; use letters, digits, '_' and '-'");
  return value;
}

double YamlField::number() const {
  const std::string text = scalar("a number");
  if (is_quoted(node_)) fail("expected a number, got the quoted string \"" + excerpt(text) + "\"");
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;
  }
  double value = 0.0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || ec == std::errc::invalid_argument || ptr != end) {
    fail("expected a number, got " + quote(text));
  }
  if (ec == std::errc::result_out_of_range || !std::isfinite(value)) {
    fail(quote(text) + " is not a finite number");
  }
  return value;
}

double YamlField::number_at_least(double low) const {
  const double value = number();
  if (value < low)
    fail("must be at least " + format_number(low) + ", got " + excerpt(node_.Scalar()));
  return value;
}

double YamlField::number_in(double low, double high) const {
  const double value = number();
  if (value < low || value > high) {
    fail("must be between " + format_number(low) + " and " + format_number(high) + ", got " +
         excerpt(node_.Scalar()));
  }
  return value;
}

std::int64_t YamlField::integer() const {
  // Read as an integer first: through a double, 9007199254740993 would become
  // ...992 without a word.
  const std::string text = scalar("a number");
  if (!is_quoted(node_)) {
    std::string digits;
    for (char c : text) {
      if (c != '_') digits += c;
    }
    std::int64_t exact = 0;
    const char* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, exact);
    if (!digits.empty() && ptr == end) {
      if (ec == std::errc()) return exact;
      if (ec == std::errc::result_out_of_range) fail(quote(text) + " is too large");
    }
  }
  // Other spellings of a whole number (1e6, 2.0) go through a double, which
  // holds every integer up to 2^53 exactly.
  const double value = number();
  if (std::abs(value) > 9007199254740992.0) fail(quote(node_.Scalar()) + " is too large");
  if (value != std::floor(value)) fail("expected a whole number, got " + excerpt(node_.Scalar()));
  return static_cast<std::int64_t>(value);
}

std::int64_t YamlField::integer_in(std::int64_t low, std::int64_t high) const {
  const std::int64_t value = integer();
  if (value < low || value > high) {
    fail("must be a whole number between " + std::to_string(low) + " and " + std::to_string(high) +
         ", got " + excerpt(node_.Scalar()));
  }
  return value;
}

bool YamlField::boolean() const {
  const std::string text = scalar("true or false");
  if (!is_quoted(node_)) {
    if (text == "true") return true;
    if (text == "false") return false;
  }
  fail("expected true or false, got " + quote(text));
}

Date YamlField::date() const {
  const std::string text = scalar("a date (YYYY-MM-DD)");
  const auto parsed = parse_date(text);
  if (!parsed) fail("expected a date as YYYY-MM-DD, got " + quote(text));
  return *parsed;
}

std::vector<YamlField> YamlField::items(bool allow_empty) const {
  if (!node_.IsSequence()) fail("expected a list, got " + describe(node_));
  if (!allow_empty && node_.size() == 0) fail("the list is empty; at least one entry is required");
  std::vector<YamlField> result;
  result.reserve(node_.size());
  for (std::size_t i = 0; i < node_.size(); ++i) {
    result.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]", source_);
  }
  return result;
}

YamlMap::YamlMap(const YamlField& field) : field_(field) {
  const YAML::Node& node = field.node();
  if (!node.IsMap()) field.fail("expected a mapping of keys, got " + describe(node));
  for (auto it = node.begin(); it != node.end(); ++it) {
    // A copy: yaml-cpp's iterator hands out a temporary pair.
    const YAML::Node key_node = it->first;
    if (!key_node.IsScalar()) field.fail("keys must be plain names, got " + describe(key_node));
    std::string key = key_node.Scalar();
    for (const auto& [seen, value] : entries_) {
      if (seen == key) {
        const std::string path = field.path().empty() ? key : field.path() + "." + key;
        throw InputError(format_location(field.source().file, key_node.Mark()) + ": " +
                         excerpt(path, 200) + ": duplicate key; each key may appear once");
      }
    }
    entries_.emplace_back(std::move(key), it->second);
    keys_.push_back(key_node);
  }
  used_.assign(entries_.size(), false);
}

std::optional<std::size_t> YamlMap::find(std::string_view key) const {
  if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) asked_.emplace_back(key);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key) return i;
  }
  return std::nullopt;
}

YamlField YamlMap::child(std::size_t index) const {
  used_[index] = true;
  const std::string& key = entries_[index].first;
  return YamlField(entries_[index].second, field_.path().empty() ? key : field_.path() + "." + key,
                   field_.source_ptr());
}

YamlField YamlMap::required(std::string_view key) const {
  const auto index = find(key);
  if (!index) field_.fail("missing required key '" + std::string(key) + "'");
  return child(*index);
}

std::optional<YamlField> YamlMap::optional(std::string_view key) const {
  const auto index = find(key);
  if (!index) return std::nullopt;
  return child(*index);
}

bool YamlMap::has(std::string_view key) const { return find(key).has_value(); }

double YamlMap::probability_or(std::string_view key, double fallback) const {
  const auto f = optional(key);
  return f ? f->probability() : fallback;
}

double YamlMap::non_negative_or(std::string_view key, double fallback) const {
  const auto f = optional(key);
  return f ? f->number_at_least(0.0) : fallback;
}

std::string YamlMap::string_or(std::string_view key, std::string fallback) const {
  const auto f = optional(key);
  return f ? f->string() : fallback;
}

std::vector<YamlMap::Entry> YamlMap::entries() const {
  std::vector<Entry> result;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    YamlField value = child(i);
    result.push_back(
        Entry{entries_[i].first, YamlField(keys_[i], value.path(), field_.source_ptr()), value});
  }
  return result;
}

void YamlMap::finish() const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (used_[i]) continue;
    const std::string& key = entries_[i].first;
    std::string message = "unknown key";
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& allowed : asked_) {
      const std::size_t d = edit_distance(key, allowed);
      if (d < best_distance) {
        best_distance = d;
        best = allowed;
      }
    }
    if (!best.empty() && best_distance <= std::max<std::size_t>(2, key.size() / 3)) {
      message += "; did you mean '" + best + "'?";
    }
    if (!asked_.empty()) {
      std::vector<std::string> sorted = asked_;
      std::sort(sorted.begin(), sorted.end());
      message += " (allowed here:";
      for (const auto& a : sorted) message += " " + a;
      message += ")";
    }
    const std::string path = field_.path().empty() ? key : field_.path() + "." + key;
    YamlField located(entries_[i].second, path, field_.source_ptr());
    // A key set elsewhere (--set, an extending scenario) is reported there.
    if (located.location() != format_location(field_.source().file, entries_[i].second.Mark())) {
      located.fail(message);
    }
    throw InputError(format_location(field_.source().file, keys_[i].Mark()) + ": " +
                     excerpt(path, 200) + ": " + message);
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

std::vector<std::string> split_path(const std::string& path, const std::string& option) {
  std::vector<std::string> segments;
  std::string current;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      segments.push_back(current);
      current.clear();
    } else if (c == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos) throw InputError(option + ": unbalanced '[' in key path");
      segments.push_back(current);
      current = path.substr(i + 1, close - i - 1);
      i = close;
    } else {
      current += c;
    }
  }
  segments.push_back(current);
  // `a.`, `a..b`, `.a`, `a[]`: a slip of the pen, not another way to write `a.b`.
  const bool bracket_first = !path.empty() && path[0] == '[';
  for (std::size_t i = bracket_first ? 1 : 0; i < segments.size(); ++i) {
    if (segments[i].empty()) {
      throw InputError(option +
                       ": the key path has an empty part (a stray '.', or '[]'); "
                       "write it as section.key, list[index].key or list.name.key");
    }
  }
  if (bracket_first) segments.erase(segments.begin());
  if (segments.empty()) throw InputError(option + ": empty key path");
  return segments;
}

std::optional<std::size_t> parse_index(const std::string& segment) {
  std::size_t value = 0;
  const auto [ptr, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), value);
  if (ec != std::errc() || ptr != segment.data() + segment.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string apply_override(YAML::Node& root, const std::string& assignment) {
  const std::string option = "--set " + assignment;
  const std::size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw InputError(option + ": expected KEY.PATH=VALUE");
  }
  const std::vector<std::string> segments = split_path(assignment.substr(0, equals), option);
  YAML::Node value;
  const std::string value_text = assignment.substr(equals + 1);
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::Exception& e) {
    throw InputError(option + ": the value is not valid YAML: " + e.msg);
  }
  if (const auto problem = check_expansion(value, value_text.size())) {
    throw InputError(option + ": the value is not valid YAML: " + problem->second);
  }
  if (!value.IsDefined() || value.IsNull()) throw InputError(option + ": the value is empty");

  YAML::Node node;
  node.reset(root);
  std::string canonical;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const std::string& segment = segments[s];
    const bool last = s + 1 == segments.size();
    if (node.IsSequence()) {
      std::optional<std::size_t> index = parse_index(segment);
      if (!index) {
        for (std::size_t i = 0; i < node.size(); ++i) {
          if (node[i].IsMap() && node[i]["name"] && node[i]["name"].IsScalar() &&
              node[i]["name"].Scalar() == segment) {
            index = i;
            break;
          }
        }
      }
      if (!index || *index >= node.size()) {
        throw InputError(option + ": " + (canonical.empty() ? "(top level)" : canonical) +
                         " has no element " + quote(segment) + " (" + std::to_string(node.size()) +
                         " elements; use an index or an element's name)");
      }
      canonical.append("[").append(std::to_string(*index)).append("]");
      if (last) {
        node[*index] = value;
      } else {
        YAML::Node next = node[*index];
        node.reset(next);
      }
    } else if (node.IsMap()) {
      canonical += (canonical.empty() ? "" : ".") + segment;
      if (last) {
        node[segment] = value;
      } else {
        // An optional section left out of the file is created; keys it should
        // not have are then reported by the reader like any unknown key.
        if (!node[segment]) node[segment] = YAML::Node(YAML::NodeType::Map);
        YAML::Node next = node[segment];
        node.reset(next);
      }
    } else {
      throw InputError(option + ": " + canonical + " is a single value; it has no key " +
                       quote(segment));
    }
  }
  return canonical;
}

std::string path_beside(const std::string& file, const std::string& path) {
  const std::filesystem::path written = path;
  if (written.is_absolute()) return written.string();
  return (std::filesystem::path(file).parent_path() / written).lexically_normal().string();
}

}  // namespace migrasim
