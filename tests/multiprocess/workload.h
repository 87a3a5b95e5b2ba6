#pragma once

// What the multi-process test's workers write, shared by the worker (which
// writes it) and the test (which looks for it afterwards).

#include <memory>
#include <string>

#include "vestige/embedder.h"

namespace vestige::multiprocess {

// The embedder every process uses: builtin, offline and deterministic, so the
// test can embed a worker's text itself and expect the worker's vector.
std::unique_ptr<Embedder> workload_embedder();

// The content of memory `index` of the worker whose words start with
// `prefix`. The prefix is one word, so a text search for it finds exactly that
// worker's memories; the rest varies enough that every memory has its own
// vector.
std::string workload_content(const std::string& prefix, int index);

}  // namespace vestige::multiprocess
