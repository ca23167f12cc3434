#pragma once

#include <string>
#include <vector>

namespace sqlite_cdc::internal {

struct Pragma {
  std::string name;
  std::string value;
};

// Parses the reference's connection parameter syntax: "_pragma=name(value)&_pragma=name(value)".
// Names and values are restricted to what a PRAGMA needs (letters, digits, '_', '-', '.'), so that
// a parameter can never smuggle SQL in. Throws InvalidInput naming the offending part.
std::vector<Pragma> ParseDbParams(const std::string& params);

// "PRAGMA name=value" for one parsed parameter.
std::string PragmaSql(const Pragma& pragma);

}  // namespace sqlite_cdc::internal
