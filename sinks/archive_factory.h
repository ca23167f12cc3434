#pragma once

#include <memory>
#include <string>

#include "sinks/archive_reader.h"
#include "sqlite_cdc/restore.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// The one place that turns a --from value into an archive reader, beside MakeHandler, which turns an
// --output value into the sink that writes the archive. The reader reads what `point` needs.
// Unknown or malformed values give kInvalidArgument naming the value; missing credentials too.
Status MakeArchiveReader(const std::string& from, const RestorePoint& point, std::unique_ptr<ArchiveReader>* reader);

}  // namespace sqlite_cdc::sinks
