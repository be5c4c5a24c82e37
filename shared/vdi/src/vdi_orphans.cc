// SweepOrphanedSets: one scan of /dev/shm, then RemoveDeadSet for every control object and an
// age check for buffer segments whose control object is gone.
#include "vdi_orphans.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

#include "dead_set.h"
#include "shm_names.h"

namespace vdibk::vdi {
namespace {

struct SetObjects {
  bool control = false;
  std::vector<std::string> buffers;  // file names
};

std::string Reason(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

}  // namespace

SweepReport SweepOrphanedSets(std::string_view set_prefix, std::chrono::seconds min_age) {
  SweepReport report;
  const std::string prefix = EncodeSetName(set_prefix);
  std::map<std::string, SetObjects> sets;  // by encoded name
  std::error_code ec;
  for (std::filesystem::directory_iterator it(kShmDir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::optional<ShmObjectName> parsed = ParseShmObjectName(name);
    if (!parsed || parsed->encoded.compare(0, prefix.size(), prefix) != 0) continue;
    SetObjects& s = sets[parsed->encoded];
    if (parsed->control) {
      s.control = true;
    } else {
      s.buffers.push_back(name);
    }
  }
  for (const auto& [encoded, objects] : sets) {
    SweptSet swept;
    swept.set_name = DecodeSetName(encoded);
    const std::string ctl_path = ShmPath(std::string("/") + kShmPrefix + encoded + ".ctl");
    if (objects.control) {
      DeadSetResult r = RemoveDeadSet(encoded, min_age, /*wait=*/false);
      if (r.outcome == DeadSetOutcome::kError && r.err != ENOENT) {
        report.unchecked.push_back({ctl_path, Reason("open", r.err)});
      }
      swept.paths = std::move(r.removed);
      for (const std::string& path : r.failed) {
        report.unremovable.push_back({path, Reason("unlink", r.err)});
      }
    } else {
      // Buffer segments of a set whose control object is gone (a participant killed while
      // removing the set): nobody can attach to them any more once they are old enough.
      for (const std::string& name : objects.buffers) {
        const std::string path = ShmPath("/" + name);
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        struct timespec now {};
        clock_gettime(CLOCK_REALTIME, &now);
        if (now.tv_sec - st.st_mtim.tv_sec < min_age.count()) continue;
        if (::access(ctl_path.c_str(), F_OK) == 0) break;  // a set of that name appeared
        if (::unlink(path.c_str()) == 0) {
          swept.paths.push_back(path);
        } else if (errno != ENOENT) {
          report.unremovable.push_back({path, Reason("unlink", errno)});
        }
      }
    }
    if (!swept.paths.empty()) report.removed.push_back(std::move(swept));
  }
  return report;
}

}  // namespace vdibk::vdi
