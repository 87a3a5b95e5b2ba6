#pragma once

// FSRS-6 facts that the storage layer needs too: retrievability is computed at
// query time from stability and the last review (product.md, "FSRS-6").

#include <array>
#include <cmath>

namespace vestige::fsrs {

// Default FSRS-6 weights w0..w20.
inline constexpr std::array<double, 21> kDefaultWeights = {
    0.212,  1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001,  1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542};

inline constexpr double kDesiredRetention = 0.9;

// Bounds of a reviewed memory's state: difficulty in [1, 10], stability in
// [0.1, 36500] days (about a century, FSRS's maximum interval).
inline constexpr double kMinDifficulty = 1.0;
inline constexpr double kMaxDifficulty = 10.0;
inline constexpr double kMinStability = 0.1;
inline constexpr double kMaxStability = 36500.0;

// R = (1 + f*t/S)^(-w20), f = 0.9^(-1/w20) - 1: the probability of recall
// after `elapsed_days` for a memory of stability `stability_days`. R(S) = 0.9
// by construction. Non-positive elapsed time gives 1; non-positive stability
// gives 0 once any time has passed.
inline double retrievability(double stability_days, double elapsed_days,
                             double w20 = kDefaultWeights[20]) {
  if (elapsed_days <= 0.0) return 1.0;
  if (stability_days <= 0.0) return 0.0;
  const double factor = std::pow(kDesiredRetention, -1.0 / w20) - 1.0;
  return std::pow(1.0 + factor * elapsed_days / stability_days, -w20);
}

}  // namespace vestige::fsrs
