// VerifyStripe: reads one stripe file once, start to end, decoding every LZ4 frame (content
// checksums, trailer index, raw size and digest) while hashing the file bytes, and says where it
// failed. Built on StripeReader; used by `vdibackup verify`.
#ifndef VDIBK_SHARED_STRIPE_STRIPE_VERIFIER_H_
#define VDIBK_SHARED_STRIPE_STRIPE_VERIFIER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "shared/base/status.h"
#include "shared/stripe/stripe_format.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/target.h"

namespace vdibk::stripe {

struct StripeVerification {
  // OK, or the first problem: kIntegrity (corrupt or truncated), kMissing (not found, or not the
  // expected stripe: StripeExpectation), kTargetIo (read error). The message names the file.
  Status status;
  // File offset at which the problem was detected, when it has one. For damaged LZ4 data it is
  // in the frame that holds the damaged byte, whose start offset the status message names.
  std::optional<uint64_t> file_offset;
  uint64_t file_bytes = 0;   // size of the file (0 if it could not be opened)
  uint64_t raw_checked = 0;  // raw bytes decoded and checked before the end or the failure
  bool opened = false;       // header and trailer were valid; `header`/`trailer` are set
  StripeHeader header;
  StripeTrailer trailer;
  // Only meaningful when status is OK: Digest64 (XXH3-64) of every byte of the file (the
  // manifest's file_digest), and the raw stream digest, checked against the data. The names
  // are from format 1.
  uint64_t file_xxh64 = 0;
  uint64_t raw_xxh64 = 0;
};

// Verifies the whole of `file` (owned for the call). Blocking, single-threaded; concurrent calls
// on different files are independent. Reads every byte of the file exactly once (plus the header
// and trailer twice); decodes in steps of one LZ4 block.
StripeVerification VerifyStripe(std::unique_ptr<ReadableFile> file,
                                const StripeExpectation& expect = {});
StripeVerification VerifyStripe(Target& target, const std::string& name,
                                const StripeExpectation& expect = {});

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_STRIPE_VERIFIER_H_
