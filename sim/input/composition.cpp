#include "input/composition.hpp"

#include <filesystem>

#include "util/errors.hpp"
#include "util/quoting.hpp"
#include "util/safe_file.hpp"

namespace migrasim {
namespace {

constexpr int kMaxDepth = 16;

// Only a regular file: a FIFO or a device named by `extends:` would block or
// never end (util/safe_file.hpp).
std::string read_text(const std::string& path, const std::string& referrer) {
  return read_regular_file(path, kMaxDocumentBytes, "scenario file", referrer);
}

std::string position(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Notes that `node` and everything below it came from `file`.
void record_subtree(YamlSource& source, const std::string& file, const YAML::Node& node,
                    const std::string& path, const YAML::Mark& key_mark) {
  // A scalar is located at its value, like every other value error; a
  // container at its key.
  const YAML::Mark mark = node.IsScalar() && !node.Mark().is_null() ? node.Mark() : key_mark;
  if (!mark.is_null()) source.overrides[path] = position(file, mark);
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      record_subtree(source, file, it->second, child_path(path, it->first.Scalar()),
                     it->first.Mark());
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      record_subtree(source, file, node[i], path + "[" + std::to_string(i) + "]", node[i].Mark());
    }
  }
}

bool all_named(const YAML::Node& list) {
  for (const auto& entry : list) {
    if (!entry.IsMap() || !entry["name"] || !entry["name"].IsScalar()) return false;
  }
  return true;
}

// Lays `over` (from `file`) onto `base` at `path`; returns the merged node.
YAML::Node merge(YAML::Node base, const YAML::Node& over, const std::string& path,
                 YamlSource& source, const std::string& file, const YAML::Mark& mark) {
  // Merged containers keep their inherited keys' positions; only what the
  // extending file sets is recorded as coming from it.
  if (base.IsMap() && over.IsMap()) {
    for (auto it = over.begin(); it != over.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string sub = child_path(path, key);
      if (base[key]) {
        YAML::Node merged = merge(base[key], it->second, sub, source, file, it->first.Mark());
        base[key] = merged;
      } else {
        base[key] = it->second;
        record_subtree(source, file, it->second, sub, it->first.Mark());
      }
    }
    return base;
  }
  if (base.IsSequence() && over.IsSequence() && all_named(base) && all_named(over)) {
    for (const auto& entry : over) {
      const std::string name = entry["name"].Scalar();
      std::size_t index = base.size();
      for (std::size_t i = 0; i < base.size(); ++i) {
        if (base[i]["name"].Scalar() == name) index = i;
      }
      const std::string sub = path + "[" + std::to_string(index) + "]";
      if (index < base.size()) {
        YAML::Node merged = merge(base[index], entry, sub, source, file, entry.Mark());
        base[index] = merged;
      } else {
        base.push_back(entry);
        record_subtree(source, file, entry, sub, entry.Mark());
      }
    }
    return base;
  }
  record_subtree(source, file, over, path, mark);
  return over;
}

ComposedDocument compose(const std::string& text, const std::string& file, int depth,
                         std::vector<std::string>& chain) {
  auto own = std::make_shared<YamlSource>();
  own->file = file;
  own->text = text;
  YAML::Node root = load_yaml_document(*own);
  // yaml-cpp keeps both of a duplicated key and root["extends"] finds the
  // first: the second would surface later as an "unknown key".
  bool seen_extends = false;
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != "extends") continue;
    if (seen_extends) {
      throw InputError(position(file, it->first.Mark()) +
                       ": extends: duplicate key; each key may appear once");
    }
    seen_extends = true;
  }
  const YAML::Node extends = root["extends"];
  if (!extends) return ComposedDocument{root, own, {{file, text}}};

  const std::string where = position(file, extends.Mark()) + ": extends: ";
  if (!extends.IsScalar() || extends.Scalar().empty()) {
    throw InputError(where + "expected the path of the scenario this one builds on");
  }
  if (depth >= kMaxDepth)
    throw InputError(where + "scenarios extend each other more than 16 levels deep");
  const std::filesystem::path parent_path =
      std::filesystem::path(file).parent_path() / std::filesystem::path(extends.Scalar());
  const std::string parent_file = parent_path.lexically_normal().string();
  std::error_code error;
  const auto canonical = std::filesystem::weakly_canonical(parent_path, error).string();
  for (const std::string& seen : chain) {
    if (seen == canonical)
      throw InputError(where + quote(extends.Scalar()) +
                       " extends this scenario in turn (a cycle)");
  }
  chain.push_back(canonical);
  const std::string parent_text = read_text(parent_file, where.substr(0, where.size() - 2));
  ComposedDocument parent = compose(parent_text, parent_file, depth + 1, chain);

  root.remove("extends");
  parent.root = merge(parent.root, root, "", *parent.source, file, YAML::Mark::null_mark());
  parent.files.emplace_back(file, text);
  return parent;
}

}  // namespace

ComposedDocument compose_document(const std::string& text, const std::string& file) {
  std::vector<std::string> chain;
  std::error_code error;
  chain.push_back(std::filesystem::weakly_canonical(file, error).string());
  return compose(text, file, 0, chain);
}

ComposedDocument load_composed_document(const std::string& path) {
  return compose_document(read_text(path, ""), path);
}

}  // namespace migrasim
