#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sqlite_cdc::cli {

// --help as a person reads it: each option's value is named by its type (N, TEXT, DURATION) and
// default, without the parser's own notation of the checks it runs (`UINT:INT in [1 - 1000000]`);
// the descriptions say the bounds in words. Call before adding subcommands: they inherit it.
void UseReadableHelp(CLI::App& app);

// Footer text: what each --output scheme does and the environment the s3:// one reads.
std::string OutputsHelp();
// Footer text: the AWS_* variables S3 access reads.
std::string AwsEnvironmentHelp();

}  // namespace sqlite_cdc::cli
