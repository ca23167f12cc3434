#pragma once

#include <chrono>
#include <cstddef>

namespace sqlite_cdc::sinks {

// How the s3:// output groups batches into objects and how many it stores at once. An object is cut
// when the first of the bounds is reached; an object never spans a schema change.
struct S3SinkOptions {
  std::chrono::milliseconds flush_interval{1000};  // since the open object's first batch
  size_t max_object_changes = 10000;
  size_t max_object_bytes = size_t{16} << 20;  // of its event lines, before gzip
  int puts_in_flight = 4;                      // objects stored at once, each on its own connection
  // The archive over months (archive_maintainer.h); zero: off.
  std::chrono::milliseconds snapshot_interval{0};  // a snapshot while streaming this long after the last
  std::chrono::milliseconds retention{0};          // restorable back this far; older objects are deleted
};

}  // namespace sqlite_cdc::sinks
