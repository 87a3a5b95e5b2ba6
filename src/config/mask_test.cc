#include <gtest/gtest.h>

#include "vestige/config.h"

namespace vestige {
namespace {

TEST(MaskSecrets, MasksUrlPassword) {
  EXPECT_EQ(mask_secrets("postgresql://vestige:secret@host/db"),
            "postgresql://vestige:****@host/db");
  EXPECT_EQ(mask_secrets("postgres://u:p@h1:5432,h2:5433/db?sslmode=require"),
            "postgres://u:****@h1:5432,h2:5433/db?sslmode=require");
  EXPECT_EQ(mask_secrets("https://user:pw@example.com"), "https://user:****@example.com");
  EXPECT_EQ(mask_secrets("postgresql://u:@host"), "postgresql://u:****@host");
}

TEST(MaskSecrets, MasksAllOfAPasswordContainingAt) {
  EXPECT_EQ(mask_secrets("postgresql://u:p@ss:w@host/db"), "postgresql://u:****@host/db");
}

TEST(MaskSecrets, LeavesUrlsWithoutPasswordAlone) {
  EXPECT_EQ(mask_secrets("postgresql://localhost/vestige"), "postgresql://localhost/vestige");
  EXPECT_EQ(mask_secrets("postgresql://vestige@localhost/db"), "postgresql://vestige@localhost/db");
  EXPECT_EQ(mask_secrets("http://127.0.0.1:11434"), "http://127.0.0.1:11434");
  EXPECT_EQ(mask_secrets("postgresql://h/db?user=a@b"), "postgresql://h/db?user=a@b");
  EXPECT_EQ(mask_secrets(""), "");
}

TEST(MaskSecrets, MasksPasswordQueryParameters) {
  EXPECT_EQ(mask_secrets("postgresql://h/db?user=u&password=secret&sslmode=require"),
            "postgresql://h/db?user=u&password=****&sslmode=require");
  EXPECT_EQ(mask_secrets("postgresql://h/db?password=secret"), "postgresql://h/db?password=****");
  EXPECT_EQ(mask_secrets("https://api.example.com/v1?api_key=sk-1#frag"),
            "https://api.example.com/v1?api_key=****#frag");
}

TEST(MaskSecrets, MasksConninfoPassword) {
  EXPECT_EQ(mask_secrets("host=localhost user=vestige password=secret dbname=vestige"),
            "host=localhost user=vestige password=**** dbname=vestige");
  EXPECT_EQ(mask_secrets("password = secret host=h"), "password = **** host=h");
  EXPECT_EQ(mask_secrets("host=h password=secret"), "host=h password=****");
  EXPECT_EQ(mask_secrets("host=h sslpassword=keypass sslkey=/k.pem"),
            "host=h sslpassword=**** sslkey=/k.pem");
}

TEST(MaskSecrets, MasksQuotedConninfoPassword) {
  EXPECT_EQ(mask_secrets("host=h password='two words' dbname=d"), "host=h password=**** dbname=d");
  EXPECT_EQ(mask_secrets(R"(password='it\'s secret' dbname=d)"), "password=**** dbname=d");
  EXPECT_EQ(mask_secrets(R"(password=back\ slash dbname=d)"), "password=**** dbname=d");
}

TEST(MaskSecrets, LeavesConninfoWithoutPasswordAlone) {
  EXPECT_EQ(mask_secrets("host=localhost dbname='my db' port=5432"),
            "host=localhost dbname='my db' port=5432");
}

}  // namespace
}  // namespace vestige
