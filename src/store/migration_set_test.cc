#include "store/migration_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "vestige/error.h"

namespace vestige {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const EmbeddedFile kFiles[] = {
    {"0001_initial.down.sql", "drop one"}, {"0001_initial.up.sql", "create one"},
    {"0002_tags.down.sql", "drop two"},    {"0002_tags.up.sql", "create two"},
    {"0003_more.down.sql", "drop three"},  {"0003_more.up.sql", "create three"},
};

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no Error thrown";
  return ErrorCode::kUsage;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no Error thrown";
  return "";
}

// A database whose schema is the list of scripts run, with transactions that
// roll back by restoring a copy.
class FakeBackend : public MigrationBackend {
 public:
  struct State {
    std::map<int, LedgerRow> ledger;
    std::vector<std::string> executed;
  };

  std::vector<LedgerRow> read_ledger() override {
    std::vector<LedgerRow> rows;
    for (const auto& [version, row] : state.ledger) rows.push_back(row);
    return rows;
  }

  void transaction(const std::function<void(MigrationTransaction&)>& work) override {
    ++transactions;
    if (before_transaction) before_transaction(state);
    State saved = state;
    Tx tx(*this);
    try {
      work(tx);
    } catch (...) {
      state = saved;
      throw;
    }
  }

  State state;
  std::string failing_script;  // execute throws kBackend for this script
  std::function<void(State&)> before_transaction;
  int transactions = 0;

 private:
  class Tx : public MigrationTransaction {
   public:
    explicit Tx(FakeBackend& backend) : b_(backend) {}
    std::optional<LedgerRow> ledger_row(int version) override {
      const auto it = b_.state.ledger.find(version);
      if (it == b_.state.ledger.end()) return std::nullopt;
      return it->second;
    }
    void execute(std::string_view script) override {
      if (script == b_.failing_script) {
        throw Error(ErrorCode::kBackend, "SQLite error: near \"create\": syntax error");
      }
      b_.state.executed.emplace_back(script);
    }
    void write_ledger_row(const LedgerRow& row) override { b_.state.ledger[row.version] = row; }
    void delete_ledger_row(int version) override { b_.state.ledger.erase(version); }

   private:
    FakeBackend& b_;
  };
};

LedgerRow row(const MigrationSet& set, int version, bool success = true) {
  const Migration& m = *set.find(version);
  return LedgerRow{m.version, m.name, m.checksum, from_unix_micros(1'700'000'000'000'000), success};
}

TEST(Sha256, KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MigrationSetParse, OrdersPairsAndChecksums) {
  const auto set = MigrationSet::parse(kFiles);
  ASSERT_EQ(set.migrations().size(), 3u);
  EXPECT_EQ(set.latest_version(), 3);
  const Migration& first = set.migrations()[0];
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(first.name, "initial");
  EXPECT_EQ(first.label(), "0001_initial");
  EXPECT_EQ(first.up, "create one");
  EXPECT_EQ(first.down, "drop one");
  EXPECT_EQ(first.checksum, sha256_hex("create one"));
  EXPECT_EQ(set.find(2)->name, "tags");
  EXPECT_EQ(set.find(0), nullptr);
  EXPECT_EQ(set.find(4), nullptr);
}

TEST(MigrationSetParse, EmptySetIsVersionZero) {
  EXPECT_EQ(MigrationSet::parse({}).latest_version(), 0);
}

TEST(MigrationSetParse, RejectsBrokenBuilds) {
  const auto parse = [](std::vector<EmbeddedFile> files) {
    return message_of([&] { MigrationSet::parse(files); });
  };
  EXPECT_THAT(parse({{"0001_a.up.sql", "x"}}), HasSubstr("0001_a has an up script but no down"));
  EXPECT_THAT(parse({{"0001_a.down.sql", "x"}}), HasSubstr("has a down script but no up"));
  EXPECT_THAT(parse({{"0001_a.up.sql", "x"},
                     {"0001_a.down.sql", "y"},
                     {"0003_c.up.sql", "x"},
                     {"0003_c.down.sql", "y"}}),
              HasSubstr("contiguous from 1, but 0003_c follows 1"));
  EXPECT_THAT(parse({{"0002_b.up.sql", "x"}, {"0002_b.down.sql", "y"}}),
              HasSubstr("contiguous from 1"));
  EXPECT_THAT(parse({{"initial.up.sql", "x"}}), HasSubstr("\"initial.up.sql\" is not named"));
  EXPECT_THAT(parse({{"0001_a.sql", "x"}}), HasSubstr("is not named"));
  EXPECT_THAT(parse({{"0001_.up.sql", "x"}}), HasSubstr("is not named"));
  EXPECT_THAT(parse({{"0001_a.up.sql", "x"}, {"0001_b.down.sql", "y"}}),
              HasSubstr("named both \"a\" and \"b\""));
  EXPECT_EQ(code_of([] {
              MigrationSet::parse(std::vector<EmbeddedFile>{{"x", ""}});
            }),
            ErrorCode::kInit);
}

TEST(MigrationSetLedger, CurrentVersionIsTheAppliedPrefix) {
  const auto set = MigrationSet::parse(kFiles);
  EXPECT_EQ(MigrationSet::current_version({}), 0);
  const std::vector<LedgerRow> two = {row(set, 2), row(set, 1)};
  EXPECT_EQ(MigrationSet::current_version(two), 2);
  const std::vector<LedgerRow> failed = {row(set, 1), row(set, 2, false)};
  EXPECT_EQ(MigrationSet::current_version(failed), 1);
  const std::vector<LedgerRow> gap = {row(set, 1), row(set, 3)};
  EXPECT_EQ(MigrationSet::current_version(gap), 1);
}

TEST(MigrationSetLedger, StatusListsShippedAndUnknownVersions) {
  const auto set = MigrationSet::parse(kFiles);
  LedgerRow tampered = row(set, 2);
  tampered.checksum = "0000";
  LedgerRow newer{7, "future", "abcd", from_unix_micros(0), true};
  const std::vector<LedgerRow> ledger = {row(set, 1), tampered, newer};
  const auto status = set.status(ledger);
  ASSERT_EQ(status.size(), 4u);
  EXPECT_EQ(status[0].version, 1);
  EXPECT_TRUE(status[0].applied);
  EXPECT_TRUE(status[0].success);
  EXPECT_TRUE(status[0].checksum_ok);
  EXPECT_EQ(status[0].applied_at, ledger[0].applied_at);
  EXPECT_TRUE(status[1].applied);
  EXPECT_FALSE(status[1].checksum_ok);
  EXPECT_EQ(status[2].version, 3);
  EXPECT_FALSE(status[2].applied);
  EXPECT_FALSE(status[2].applied_at.has_value());
  EXPECT_EQ(status[3].version, 7);
  EXPECT_EQ(status[3].name, "future");
  EXPECT_FALSE(status[3].checksum_ok);

  const std::vector<LedgerRow> failed = {row(set, 1, false)};
  EXPECT_TRUE(set.status(failed)[0].applied);
  EXPECT_FALSE(set.status(failed)[0].success);
}

TEST(MigrationSetLedger, CheckExplainsEveryProblem) {
  const auto set = MigrationSet::parse(kFiles);
  const auto check = [&](std::vector<LedgerRow> ledger) {
    EXPECT_EQ(code_of([&] { set.check_ledger(ledger); }), ErrorCode::kInit);
    return message_of([&] { set.check_ledger(ledger); });
  };
  EXPECT_NO_THROW(set.check_ledger(std::vector<LedgerRow>{}));
  EXPECT_NO_THROW(set.check_ledger(std::vector<LedgerRow>{row(set, 1), row(set, 2)}));

  const auto failed = check({row(set, 1), row(set, 2, false)});
  EXPECT_THAT(failed, HasSubstr("schema migration 0002_tags failed"));
  EXPECT_THAT(failed, HasSubstr("vestige db revert --to 1"));
  EXPECT_THAT(failed, HasSubstr("DELETE FROM schema_migrations WHERE version = 2"));

  LedgerRow tampered = row(set, 1);
  tampered.checksum = std::string(64, 'f');
  const auto mismatch = check({tampered});
  EXPECT_THAT(mismatch, HasSubstr("0001_initial"));
  EXPECT_THAT(mismatch, HasSubstr("ffffffffffff"));
  EXPECT_THAT(mismatch, HasSubstr(set.find(1)->checksum.substr(0, 12)));
  EXPECT_THAT(mismatch, HasSubstr("migrated by a different build"));
  EXPECT_THAT(mismatch, HasSubstr("must never be edited"));

  const auto newer = check({row(set, 1), LedgerRow{4, "future", "x", {}, true}});
  EXPECT_THAT(newer, HasSubstr("created by a newer Vestige"));
  EXPECT_THAT(newer, HasSubstr("migration 4 (future)"));
  EXPECT_THAT(newer, HasSubstr("up to 3"));

  EXPECT_THAT(check({row(set, 1), row(set, 3)}), HasSubstr("0003_more is recorded as applied but "
                                                           "migration 2 is not"));
}

TEST(MigrationRunner, MigratesInOrderEachInItsOwnTransaction) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  MigrationRunner runner(set, backend);
  EXPECT_THAT(runner.migrate(std::nullopt), ElementsAre(1, 2, 3));
  EXPECT_THAT(backend.state.executed, ElementsAre("create one", "create two", "create three"));
  EXPECT_EQ(backend.transactions, 3);
  ASSERT_EQ(backend.state.ledger.size(), 3u);
  EXPECT_EQ(backend.state.ledger[2].checksum, sha256_hex("create two"));
  EXPECT_EQ(backend.state.ledger[2].name, "tags");
  EXPECT_TRUE(backend.state.ledger[2].success);
  EXPECT_EQ(runner.checked_version(), 3);
  EXPECT_THAT(runner.migrate(std::nullopt), IsEmpty());
}

TEST(MigrationRunner, MigratesToATarget) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  MigrationRunner runner(set, backend);
  EXPECT_THAT(runner.migrate(1), ElementsAre(1));
  EXPECT_EQ(runner.checked_version(), 1);
  EXPECT_THAT(runner.migrate(1), IsEmpty());
  EXPECT_THAT(runner.migrate(0), IsEmpty());
  EXPECT_THAT(runner.migrate(2), ElementsAre(2));
  EXPECT_EQ(code_of([&] { runner.migrate(4); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of([&] { runner.migrate(-1); }), ErrorCode::kInvalidInput);
}

TEST(MigrationRunner, AFailedScriptIsRolledBackRecordedAndStopsLaterRuns) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  backend.failing_script = "create two";
  MigrationRunner runner(set, backend);

  const auto message = message_of([&] { runner.migrate(std::nullopt); });
  EXPECT_THAT(message, HasSubstr("schema migration 0002_tags failed and was rolled back"));
  EXPECT_THAT(message, HasSubstr("syntax error"));
  EXPECT_THAT(message, HasSubstr("vestige db revert --to 1"));
  EXPECT_EQ(code_of([&] { runner.migrate(std::nullopt); }), ErrorCode::kInit);
  EXPECT_THAT(backend.state.executed, ElementsAre("create one"));
  ASSERT_TRUE(backend.state.ledger.contains(2));
  EXPECT_FALSE(backend.state.ledger[2].success);
  EXPECT_FALSE(backend.state.ledger.contains(3));

  // Fixed cause: reverting to 1 removes the failed row without running a
  // down script, and migrating again succeeds.
  backend.failing_script.clear();
  EXPECT_THAT(runner.revert(1), ElementsAre(2));
  EXPECT_THAT(backend.state.executed, ElementsAre("create one"));
  EXPECT_THAT(runner.migrate(std::nullopt), ElementsAre(2, 3));
}

TEST(MigrationRunner, RefusesATamperedLedger) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  MigrationRunner runner(set, backend);
  runner.migrate(1);
  backend.state.ledger[1].checksum = "edited";
  EXPECT_EQ(code_of([&] { runner.migrate(std::nullopt); }), ErrorCode::kInit);
  EXPECT_EQ(code_of([&] { runner.checked_version(); }), ErrorCode::kInit);
  EXPECT_EQ(backend.state.executed.size(), 1u);
}

TEST(MigrationRunner, SkipsAMigrationAnotherProcessAppliedMeanwhile) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  MigrationRunner runner(set, backend);
  // The other process commits migration 1 between our ledger read and our
  // transaction.
  backend.before_transaction = [&](FakeBackend::State& state) {
    if (!state.ledger.contains(1)) state.ledger[1] = row(set, 1);
  };
  EXPECT_THAT(runner.migrate(std::nullopt), ElementsAre(2, 3));
  EXPECT_THAT(backend.state.executed, ElementsAre("create two", "create three"));
}

TEST(MigrationRunner, RevertsNewestFirst) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  MigrationRunner runner(set, backend);
  runner.migrate(std::nullopt);
  EXPECT_THAT(runner.revert(1), ElementsAre(3, 2));
  EXPECT_THAT(backend.state.executed,
              ElementsAre("create one", "create two", "create three", "drop three", "drop two"));
  EXPECT_EQ(runner.checked_version(), 1);
  EXPECT_THAT(runner.revert(1), IsEmpty());
  EXPECT_THAT(runner.revert(0), ElementsAre(1));
  EXPECT_TRUE(backend.state.ledger.empty());
  EXPECT_EQ(code_of([&] { runner.revert(-1); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of([&] { runner.revert(4); }), ErrorCode::kInvalidInput);
}

TEST(MigrationRunner, RevertRefusesALedgerFromANewerBuild) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  MigrationRunner runner(set, backend);
  runner.migrate(std::nullopt);
  backend.state.ledger[4] = LedgerRow{4, "future", "x", {}, true};
  EXPECT_THAT(message_of([&] { runner.revert(0); }), HasSubstr("newer Vestige"));
  EXPECT_EQ(backend.state.ledger.size(), 4u);
}

TEST(MigrationRunner, ADownScriptFailureKeepsTheLedgerRow) {
  const auto set = MigrationSet::parse(kFiles);
  FakeBackend backend;
  MigrationRunner runner(set, backend);
  runner.migrate(std::nullopt);
  backend.failing_script = "drop two";
  EXPECT_EQ(code_of([&] { runner.revert(0); }), ErrorCode::kBackend);
  EXPECT_EQ(runner.checked_version(), 2);
}

}  // namespace
}  // namespace vestige
