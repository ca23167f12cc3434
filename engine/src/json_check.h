#pragma once

#include <string_view>

namespace sqlite_cdc::internal {

// True when `text` is one JSON object (RFC 8259), whitespace around it allowed, that strict parsers
// accept too: escapes well formed (a \u surrogate only as a high-low pair), no control characters
// in strings, and no number beyond a double's range (nlohmann, which sqlite-cdc-restore uses,
// rejects 1e999). REQUIRES: `text` is valid UTF-8 (RepairUtf8 made it so); bytes are not re-checked.
// One pass, no allocation for objects nested less than 16 deep: the drain checks every image with it.
bool IsJsonObjectText(std::string_view text);

}  // namespace sqlite_cdc::internal
