#include "engine/node_types.h"

namespace vestige::engine {

bool is_bookkeeping_type(std::string_view node_type) {
  return node_type == kIntentionType || node_type == kIntentionIndexType ||
         node_type == kMergeRecordType;
}

}  // namespace vestige::engine
