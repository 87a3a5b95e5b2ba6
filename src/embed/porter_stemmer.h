#pragma once

#include <string>
#include <string_view>

namespace vestige::embed {

// The Porter stemming algorithm (M. F. Porter, "An algorithm for suffix
// stripping", Program 14(3), 1980) for lowercase ASCII English words:
// "running" -> "run", "relational" -> "relat", "ponies" -> "poni".
//
// It follows the published algorithm (step 2 maps "abli" to "able" and has no
// "logi" rule), and, like Porter's own reference implementation, leaves words
// of one or two letters alone. A word containing anything other than a-z is
// returned unchanged, since the rules only make sense for English letters.
//
// The hash embedder's vectors depend on these stems, so any change here is a
// new algorithm version of that embedder (see hash_embedder.cc).
std::string porter_stem(std::string_view word);

}  // namespace vestige::embed
