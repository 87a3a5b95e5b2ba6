#include "vestige/store_transfer.h"

#include <fmt/format.h>

namespace vestige {

std::string_view table_name(Table table) {
  switch (table) {
    case Table::kUsers:
      return "users";
    case Table::kGroups:
      return "groups";
    case Table::kGroupMemberships:
      return "group_memberships";
    case Table::kMemories:
      return "memories";
    case Table::kScheduling:
      return "scheduling";
    case Table::kEdges:
      return "edges";
    case Table::kReviewEvents:
      return "review_events";
    case Table::kDomains:
      return "domains";
  }
  return "unknown";
}

namespace {

struct KeyText {
  std::string operator()(const UserRecord& r) const { return r.id.to_string(); }
  std::string operator()(const GroupRecord& r) const { return r.id.to_string(); }
  std::string operator()(const MembershipRecord& r) const {
    return fmt::format("group {} user {}", r.group_id.to_string(), r.user_id.to_string());
  }
  std::string operator()(const Memory& r) const { return r.id.to_string(); }
  std::string operator()(const SchedulingState& r) const { return r.memory_id.to_string(); }
  std::string operator()(const Edge& r) const {
    return fmt::format("{} -> {} ({})", r.source_id.to_string(), r.target_id.to_string(),
                       r.edge_type);
  }
  std::string operator()(const ReviewEvent& r) const { return std::to_string(r.id); }
  std::string operator()(const Domain& r) const { return r.id; }
};

}  // namespace

std::string row_key(const Row& row) {
  return std::visit(KeyText{}, row);
}

}  // namespace vestige
