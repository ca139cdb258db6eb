// The error types that decide the exit code (see main.cpp):
//   InputError  -> exit 2: a bad scenario, bad option or bad --set; the message
//                  already names the file, line, column and key path.
//   OutputError -> exit 1: the output could not be written.
// Anything else that escapes is exit 1 too.
#pragma once

#include <stdexcept>
#include <string>

namespace migrasim {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace migrasim
