#pragma once

#include <gtest/gtest.h>

#include "vestige/error.h"

namespace vestige::testing {

// The vestige::Error that `f` throws; a test failure if it throws none.
template <typename F>
Error capture_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a vestige::Error";
  return Error(ErrorCode::kUsage, "no error was thrown");
}

}  // namespace vestige::testing
