// Quoting text that came from outside (a file's values, a path, a --set
// option) in a message for a terminal or a log.
//
// Such text may be anything: a whole private file read as one YAML value, a
// megabyte-long name, escape sequences that drive the terminal, a newline that
// forges a second log line, a NUL that cuts the message short. A message quotes
// it only through excerpt(): control characters and invalid UTF-8 are written
// as escapes, and what is longer than a short excerpt is cut with an ellipsis,
// so an error never discloses more than the start of the offending token.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace migrasim {

// Most characters of outside text a message quotes.
inline constexpr std::size_t kMaxQuotedChars = 48;

// `text` with control characters (C0, DEL, C1), backslashes and invalid UTF-8
// escaped (\n, \t, \x1b, \u0085), cut after `max_chars` characters with "...".
std::string excerpt(std::string_view text, std::size_t max_chars = kMaxQuotedChars);

// excerpt() between single quotes.
std::string quote(std::string_view text, std::size_t max_chars = kMaxQuotedChars);

// A whole message made safe for one terminal line: control characters and
// invalid UTF-8 escaped, nothing cut. The last line of defence for a message
// that quoted outside text without excerpt().
std::string one_line(std::string_view message);

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF, no truncated sequence.
bool is_valid_utf8(std::string_view text);

// The length in bytes of the valid UTF-8 sequence at the start of `text`, or 0.
std::size_t utf8_sequence_length(std::string_view text);

}  // namespace migrasim
