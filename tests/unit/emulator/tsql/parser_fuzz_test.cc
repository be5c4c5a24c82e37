// Fuzz-ish robustness test: thousands of random and mutated inputs never crash the tokenizer,
// parser or validator, and every failure is a well-formed SQL error.
#include <gtest/gtest.h>

#include <random>

#include "emulator/tsql/option_validation.h"
#include "emulator/tsql/parser.h"

namespace vdibk::emulator::tsql {
namespace {

void CheckInput(const std::string& sql) {
  ParseOutput out = Parse(sql);
  if (!out.ok()) {
    ASSERT_EQ(out.errors.size(), 1u);
    const SqlError& e = out.errors.items()[0];
    EXPECT_GT(e.number, 0) << sql;
    EXPECT_GE(e.level, 11) << sql;
    EXPECT_FALSE(e.text.empty()) << sql;
    EXPECT_GE(e.line, 1) << sql;
    return;
  }
  for (const auto& st : out.batch.statements) {
    SqlMessages m = ValidateStatement(st);
    if (!m.empty()) {
      EXPECT_TRUE(m.HasError()) << sql;
    }
  }
}

TEST(ParserFuzzTest, RandomBytes) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    CheckInput(s);
  }
}

TEST(ParserFuzzTest, RandomTokenSoup) {
  static const std::vector<std::string> kWords = {
      "BACKUP",      "RESTORE",    "DATABASE",   "LOG",
      "TO",          "FROM",       "WITH",       "VIRTUAL_DEVICE",
      "DISK",        "=",          ",",          ";",
      "(",           ")",          "'s'",        "N'x'",
      "[db]",        "\"q\"",      "db",         "1",
      "65536",       "-1",         "BLOCKSIZE",  "MAXTRANSFERSIZE",
      "BUFFERCOUNT", "STATS",      "MOVE",       "REPLACE",
      "NORECOVERY",  "RECOVERY",   "SNAPSHOT",   "DIFFERENTIAL",
      "CREATE",      "DROP",       "IF",         "EXISTS",
      "ON",          "NAME",       "FILENAME",   "SIZE",
      "MB",          "SELECT",     "PRINT",      "@@VERSION",
      "@v",          "--c\n",      "/*c*/",      "GO",
      "\n",          "HEADERONLY", "VERIFYONLY", "FILELISTONLY",
      "ALTER",       "SET",        "USE",        "COMPRESSION",
      "ALGORITHM",   "FILE",       "STOPATMARK", "AFTER",
      "'",           "[",          "/*"};
  std::mt19937 rng(777);
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    int n = 1 + static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) s += kWords[rng() % kWords.size()] + " ";
    CheckInput(s);
  }
}

TEST(ParserFuzzTest, MutatedValidStatements) {
  static const std::vector<std::string> kSeeds = {
      "BACKUP DATABASE db TO VIRTUAL_DEVICE='a', VIRTUAL_DEVICE='b' WITH BUFFERCOUNT=4, "
      "MAXTRANSFERSIZE=1048576, CHECKSUM, STATS=10",
      "RESTORE DATABASE db FROM VIRTUAL_DEVICE='a' WITH MOVE 'd' TO '/x', REPLACE, NORECOVERY",
      "CREATE DATABASE d ON (NAME=a, FILENAME='/a', SIZE=8MB) LOG ON (NAME=b, FILENAME='/b')",
      "RESTORE HEADERONLY FROM DISK='/x' WITH FILE=1; SELECT @@VERSION; PRINT N'ok'"};
  std::mt19937 rng(4242);
  for (int i = 0; i < 4000; ++i) {
    std::string s = kSeeds[rng() % kSeeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !s.empty(); ++k) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s.erase(pos, 1 + rng() % 5);
          break;
        case 1:
          s.insert(pos, 1, "',;=()[]\"*/-@N0"[rng() % 15]);
          break;
        default:
          s[pos] = static_cast<char>(rng() % 128);
          break;
      }
    }
    CheckInput(s);
  }
}

}  // namespace
}  // namespace vdibk::emulator::tsql
