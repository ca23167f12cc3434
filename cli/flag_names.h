#pragma once

#include <string>

namespace sqlite_cdc::cli {

// The library names its options as EngineOptions, CaptureOptions and TeardownOptions spell them
// ("batch_size must be at least 1", "blobs=true contradicts ..."); a person at the command line
// knows them as flags. Returns `message` with each option name, as a whole word, said as the flag
// that sets it ("--batch-size must be at least 1").
std::string InFlagWords(const std::string& message);

}  // namespace sqlite_cdc::cli
