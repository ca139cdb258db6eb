#include "util/quoting.hpp"

#include <cstdio>

namespace migrasim {
namespace {

// Appends the escape for one character or invalid byte.
void append_escaped(std::string& out, std::string_view sequence) {
  const auto lead = static_cast<unsigned char>(sequence[0]);
  if (sequence.size() == 1) {
    switch (lead) {
      case '\n':
        out += "\\n";
        return;
      case '\r':
        out += "\\r";
        return;
      case '\t':
        out += "\\t";
        return;
      case '\\':
        out += "\\\\";
        return;
      default:
        break;
    }
    if (lead < 0x20 || lead >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", lead);
      out += hex;
      return;
    }
    out += static_cast<char>(lead);
    return;
  }
  // C1 controls (U+0080..U+009F) are two bytes, C2 80..C2 9F; some terminals
  // act on them as on ESC sequences.
  if (sequence.size() == 2 && lead == 0xC2 && static_cast<unsigned char>(sequence[1]) < 0xA0) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned char>(sequence[1]));
    out += hex;
    return;
  }
  out += sequence;
}

std::string escape(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const std::size_t length = utf8_sequence_length(text.substr(i));
    append_escaped(out, text.substr(i, length == 0 ? 1 : length));
    i += length == 0 ? 1 : length;
    ++chars;
  }
  return out;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text) {
  if (text.empty()) return 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // ASCII runs are the common case in scenario files.
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_length(text.substr(i));
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string excerpt(std::string_view text, std::size_t max_chars) {
  return escape(text, max_chars);
}

std::string quote(std::string_view text, std::size_t max_chars) {
  return "'" + escape(text, max_chars) + "'";
}

std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  std::size_t i = 0;
  while (i < message.size()) {
    const std::size_t length = utf8_sequence_length(message.substr(i));
    const std::string_view sequence = message.substr(i, length == 0 ? 1 : length);
    // Backslashes are the message's own here, not escapes to keep apart.
    if (sequence == "\\") {
      out += '\\';
    } else {
      append_escaped(out, sequence);
    }
    i += sequence.size();
  }
  return out;
}

}  // namespace migrasim
