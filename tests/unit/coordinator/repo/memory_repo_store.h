// MemoryRepoStore: the test RepoStore. Databases, sets, files, hidden sets and leases in memory
// (no filesystem), with a settable clock for mtimes: catalog, prune and chain logic run on it.
#ifndef VDIBK_TESTS_UNIT_COORDINATOR_REPO_MEMORY_REPO_STORE_H_
#define VDIBK_TESTS_UNIT_COORDINATOR_REPO_MEMORY_REPO_STORE_H_

#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/repo/repo_dirs.h"
#include "coordinator/repo/repo_store.h"

namespace vdibk::coordinator::testing {

class MemoryRepoStore final : public RepoStore {
 public:
  struct File {
    std::shared_ptr<const std::string> bytes;
    int64_t mtime_ms = 0;
  };
  using Files = std::map<std::string, File>;
  struct State {
    std::mutex mu;
    int64_t now_ms = 1'000;
    std::map<std::string, std::map<std::string, Files>> sets;    // db -> set -> files
    std::map<std::string, std::map<std::string, Files>> hidden;  // prune's hidden sets
    std::map<std::string, bool> leased;                          // "db/set"
  };

  explicit MemoryRepoStore(std::string name = "mem://repo")
      : name_(std::move(name)), state_(std::make_shared<State>()) {}

  // Test controls.
  void SetNow(int64_t ms) {
    std::lock_guard<std::mutex> l(state_->mu);
    state_->now_ms = ms;
  }
  bool HasSet(const std::string& db, const std::string& set) const {
    std::lock_guard<std::mutex> l(state_->mu);
    return state_->sets.count(db) && state_->sets[db].count(set);
  }
  bool HasHidden(const std::string& db, const std::string& set) const {
    std::lock_guard<std::mutex> l(state_->mu);
    return state_->hidden.count(db) && state_->hidden[db].count(set);
  }
  // Replaces (or adds) a file's bytes, with the current mtime.
  void PutFile(const std::string& db, const std::string& set, const std::string& name,
               std::string bytes) {
    std::lock_guard<std::mutex> l(state_->mu);
    state_->sets[db][set][name] = {std::make_shared<const std::string>(std::move(bytes)),
                                   state_->now_ms};
  }

  std::string Describe() const override { return name_; }
  std::string SetLocation(const std::string& db, const std::string& set) const override {
    return name_ + "/" + db + "/" + set;
  }
  Status CheckRoot() const override { return Status::Ok(); }
  Result<std::vector<std::string>> ListDatabases() const override {
    std::lock_guard<std::mutex> l(state_->mu);
    std::vector<std::string> out;
    for (const auto& [db, sets] : state_->sets) out.push_back(db);
    return out;
  }
  Result<std::vector<std::string>> ListSets(const std::string& db) const override {
    if (!IsRepoComponent(db)) return Status::Usage("bad database name '" + db + "'");
    std::lock_guard<std::mutex> l(state_->mu);
    auto it = state_->sets.find(db);
    if (it == state_->sets.end()) {
      return Status::Missing("no backups of database '" + db + "' in " + name_);
    }
    std::vector<std::string> out;
    for (const auto& [set, files] : it->second) out.push_back(set);
    return out;
  }
  Status CheckSet(const std::string& db, const std::string& set) const override {
    VDIBK_RETURN_IF_ERROR(ListSets(db).status());
    if (!IsRepoComponent(set)) return Status::Usage("'" + set + "' is not a set name");
    if (!HasSet(db, set))
      return Status::Missing("backup set " + SetLocation(db, set) + " not found");
    return Status::Ok();
  }
  Result<SetListing> ListSetFiles(const std::string& db, const std::string& set) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    Files* files = Find(state_->sets, db, set);
    if (!files) return Status::Missing("no set " + SetLocation(db, set));
    SetListing out;
    for (const auto& [name, f] : *files) {
      out.files.push_back({name, f.bytes->size(), f.mtime_ms});
      out.newest_mtime_ms = std::max(out.newest_mtime_ms, f.mtime_ms);
    }
    return out;
  }
  Result<std::unique_ptr<stripe::Target>> OpenSet(const std::string& db,
                                                  const std::string& set) const override {
    return std::unique_ptr<stripe::Target>(std::make_unique<SetTarget>(state_, db, set, false));
  }
  Result<bool> TryCreateSet(const std::string& db, const std::string& set) const override {
    if (!IsRepoComponent(db) || !IsRepoComponent(set)) return Status::Usage("bad name");
    std::lock_guard<std::mutex> l(state_->mu);
    return state_->sets[db].emplace(set, Files{}).second;
  }
  void DiscardSet(const std::string& db, const std::string& set) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    if (state_->sets.count(db)) state_->sets[db].erase(set);
  }
  Status HideSet(const std::string& db, const std::string& set) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    Files* files = Find(state_->sets, db, set);
    if (!files) return Status::TargetIo("no set " + SetLocation(db, set) + " to hide");
    state_->hidden[db][set] = std::move(*files);
    state_->sets[db].erase(set);
    return Status::Ok();
  }
  Result<std::vector<std::string>> ListHiddenSets(const std::string& db) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    std::vector<std::string> out;
    for (const auto& [set, files] : state_->hidden[db]) out.push_back(set);
    return out;
  }
  Result<std::unique_ptr<stripe::Target>> OpenHiddenSet(const std::string& db,
                                                        const std::string& set) const override {
    return std::unique_ptr<stripe::Target>(std::make_unique<SetTarget>(state_, db, set, true));
  }
  Status DeleteHiddenSet(const std::string& db, const std::string& set) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    state_->hidden[db].erase(set);
    return Status::Ok();
  }
  std::string HiddenSetLocation(const std::string& db, const std::string& set) const override {
    return name_ + "/" + db + "/.hidden-" + set;
  }
  Result<std::unique_ptr<SetLease>> AcquireLease(const std::string& db,
                                                 const std::string& set) const override {
    VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<SetLease> lease, TryAcquireLease(db, set));
    if (!lease) return Status::TargetIo("lease of " + SetLocation(db, set) + " is held");
    return lease;
  }
  Result<std::unique_ptr<SetLease>> TryAcquireLease(const std::string& db,
                                                    const std::string& set) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    bool& held = state_->leased[db + "/" + set];
    if (held) return std::unique_ptr<SetLease>();
    held = true;
    return std::unique_ptr<SetLease>(std::make_unique<Lease>(state_, db + "/" + set));
  }
  bool IsInUse(const std::string& db, const std::string& set) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    return state_->leased[db + "/" + set];
  }

 private:
  static Files* Find(std::map<std::string, std::map<std::string, Files>>& m, const std::string& db,
                     const std::string& set) {
    auto d = m.find(db);
    if (d == m.end()) return nullptr;
    auto s = d->second.find(set);
    return s == d->second.end() ? nullptr : &s->second;
  }

  class Lease final : public SetLease {
   public:
    Lease(std::shared_ptr<State> state, std::string key)
        : state_(std::move(state)), key_(std::move(key)) {}
    ~Lease() override {
      std::lock_guard<std::mutex> l(state_->mu);
      state_->leased[key_] = false;
    }
    void KeepOnRelease() override {}

   private:
    std::shared_ptr<State> state_;
    std::string key_;
  };

  class Readable final : public stripe::ReadableFile {
   public:
    Readable(std::shared_ptr<const std::string> bytes, std::string name)
        : bytes_(std::move(bytes)), name_(std::move(name)) {}
    Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) override {
      if (offset >= bytes_->size()) return size_t{0};
      const size_t n = std::min<size_t>(size, bytes_->size() - offset);
      std::memcpy(dst, bytes_->data() + offset, n);
      return n;
    }
    Result<uint64_t> Size() override { return uint64_t{bytes_->size()}; }
    const std::string& name() const override { return name_; }

   private:
    std::shared_ptr<const std::string> bytes_;
    std::string name_;
  };

  class SetTarget;
  class Writable final : public stripe::WritableFile {
   public:
    Writable(std::shared_ptr<State> state, std::string db, std::string set, bool hidden,
             std::string name, bool replace)
        : state_(std::move(state)),
          db_(std::move(db)),
          set_(std::move(set)),
          hidden_(hidden),
          name_(std::move(name)),
          replace_(replace) {}
    Status Append(std::span<const stripe::ConstBuffer> pieces) override {
      for (const stripe::ConstBuffer& p : pieces) {
        bytes_.append(static_cast<const char*>(p.data), p.size);
      }
      return Status::Ok();
    }
    Status Sync() override { return Status::Ok(); }
    Status Commit() override {
      std::lock_guard<std::mutex> l(state_->mu);
      Files* files = Find(hidden_ ? state_->hidden : state_->sets, db_, set_);
      if (!files) return Status::TargetIo("set " + db_ + "/" + set_ + " does not exist");
      if (files->count(name_) && !replace_) return Status::TargetIo(name_ + " exists already");
      (*files)[name_] = {std::make_shared<const std::string>(std::move(bytes_)), state_->now_ms};
      return Status::Ok();
    }
    void Abort() override { bytes_.clear(); }
    uint64_t size() const override { return bytes_.size(); }
    const std::string& name() const override { return name_; }

   private:
    std::shared_ptr<State> state_;
    std::string db_, set_;
    bool hidden_;
    std::string name_;
    bool replace_;
    std::string bytes_;
  };

  class SetTarget final : public stripe::Target {
   public:
    SetTarget(std::shared_ptr<State> state, std::string db, std::string set, bool hidden)
        : state_(std::move(state)), db_(std::move(db)), set_(std::move(set)), hidden_(hidden) {}
    Result<std::unique_ptr<stripe::WritableFile>> Create(
        const std::string& name, const stripe::CreateOptions& options) override {
      return std::unique_ptr<stripe::WritableFile>(
          std::make_unique<Writable>(state_, db_, set_, hidden_, name, options.replace));
    }
    using stripe::Target::Create;
    Result<std::unique_ptr<stripe::ReadableFile>> Open(const std::string& name) override {
      std::lock_guard<std::mutex> l(state_->mu);
      Files* files = Find(hidden_ ? state_->hidden : state_->sets, db_, set_);
      if (!files || !files->count(name)) return Status::Missing("no file " + name);
      return std::unique_ptr<stripe::ReadableFile>(
          std::make_unique<Readable>((*files)[name].bytes, name));
    }
    std::string Describe() const override { return "mem:" + db_ + "/" + set_; }

   private:
    std::shared_ptr<State> state_;
    std::string db_, set_;
    bool hidden_;
  };

  std::string name_;
  std::shared_ptr<State> state_;
};

}  // namespace vdibk::coordinator::testing

#endif  // VDIBK_TESTS_UNIT_COORDINATOR_REPO_MEMORY_REPO_STORE_H_
