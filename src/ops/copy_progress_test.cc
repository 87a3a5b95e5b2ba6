#include "ops/copy_progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <sstream>

#include "vestige/error.h"

namespace vestige::ops {
namespace {

TEST(Progress, WritesPlainLinesWithoutATerminal) {
  std::ostringstream out;
  Progress progress(out, false, "copy memories", 1000);
  progress.advance(400);
  progress.advance(600);
  progress.finish();
  progress.finish();  // once only
  const std::string text = out.str();
  EXPECT_NE(text.find("copy memories: 1000/1000 rows done"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find("done"), text.rfind("done"));
}

TEST(Progress, DrawsABarOnATerminal) {
  std::ostringstream out;
  Progress progress(out, true, "reembed", 10);
  progress.advance(10);
  progress.finish();
  const std::string text = out.str();
  EXPECT_NE(text.find("\r"), std::string::npos);
  EXPECT_NE(text.find("[##############################]"), std::string::npos) << text;
  EXPECT_NE(text.find("10/10 rows"), std::string::npos);
}

TEST(FaultPoints, MalformedSpecsAreUsageErrors) {
  for (const char* spec : {"copy", ":3", "copy:x", "copy:0", "copy:2:-1", "copy:1:pausex"}) {
    try {
      FaultPoints points{std::string(spec)};
      ADD_FAILURE() << spec << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUsage) << spec;
      EXPECT_NE(std::string(e.what()).find("<name>:<count>"), std::string::npos);
    }
  }
}

TEST(FaultPoints, OtherPointsAndEarlierVisitsDoNothing) {
  FaultPoints points{std::string("copy-batch-edges:3")};
  points.reach("copy-batch-memories");
  points.reach("copy-batch-edges");
  points.reach("copy-batch-edges");
  FaultPoints disabled{std::nullopt};
  disabled.reach("copy-batch-edges");
  SUCCEED();
}

TEST(FaultPoints, APauseWaitsAndGoesOn) {
  FaultPoints points{std::string("copy-batch-edges:1:pause30")};
  const auto start = std::chrono::steady_clock::now();
  points.reach("copy-batch-edges");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
}

TEST(FaultPointsDeathTest, TheNthVisitKillsTheProcess) {
  EXPECT_EXIT(
      {
        FaultPoints points{std::string("reembed-batch:2")};
        points.reach("reembed-batch");
        points.reach("reembed-batch");
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

}  // namespace
}  // namespace vestige::ops
