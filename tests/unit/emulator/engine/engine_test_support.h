// Test support for the emulator engine: a catalog in a temp dir with a small database, a
// recording ISqlSink (thread-safe), and a helper that runs one statement through the executor.
#ifndef VDIBK_TESTS_UNIT_EMULATOR_ENGINE_ENGINE_TEST_SUPPORT_H_
#define VDIBK_TESTS_UNIT_EMULATOR_ENGINE_ENGINE_TEST_SUPPORT_H_

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/frontend/statement_executor.h"

namespace vdibk::emulator::testing {

class RecordingSink : public frontend::ISqlSink {
 public:
  void Message(const SqlError& m) override { Add(m); }
  void Error(const SqlError& e) override { Add(e); }
  void BeginResult(const std::vector<tsql::Column>&) override {}
  void Row(const tsql::Row&) override {}
  void EndResult(std::optional<uint64_t>) override {}
  void Done(bool) override {}
  void DropConnection() override {
    std::lock_guard l(mu_);
    dropped_ = true;
  }
  bool Cancelled() const override { return false; }

  // DropConnection was called (a drop-after-commit fault).
  bool dropped() {
    std::lock_guard l(mu_);
    return dropped_;
  }

  std::vector<SqlError> all() {
    std::lock_guard l(mu_);
    return items_;
  }
  std::vector<int> numbers() {
    std::vector<int> out;
    for (const auto& e : all()) out.push_back(e.number);
    return out;
  }
  bool HasError() {
    for (const auto& e : all()) {
      if (e.IsError()) return true;
    }
    return false;
  }
  std::string Text() {
    std::string out;
    for (const auto& e : all()) out += std::to_string(e.number) + ": " + e.text + "\n";
    return out;
  }
  // Index of the first item whose text contains `needle`, or -1.
  int Find(const std::string& needle) {
    auto items = all();
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].text.find(needle) != std::string::npos) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  void Add(const SqlError& e) {
    std::lock_guard l(mu_);
    items_.push_back(e);
  }
  std::mutex mu_;
  std::vector<SqlError> items_;
  bool dropped_ = false;
};

inline void Run(frontend::IStatementExecutor& ex, const std::string& sql,
                frontend::ISqlSink& sink) {
  frontend::SqlRequest r;
  r.text = sql;
  ex.Execute(r, sink);
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace vdibk::emulator::testing

#endif  // VDIBK_TESTS_UNIT_EMULATOR_ENGINE_ENGINE_TEST_SUPPORT_H_
