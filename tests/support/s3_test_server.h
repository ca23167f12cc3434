#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::testing {

// s3rver (the S3 protocol, from npm) on 127.0.0.1 with one bucket, its data in a temporary folder.
// It can be stopped and started again on the same port with the same objects, and told to answer
// 503 SlowDown. It does not check signatures: SigV4 has its own tests.
class S3TestServer {
 public:
  explicit S3TestServer(std::string bucket);
  ~S3TestServer();

  std::string endpoint() const;  // "http://127.0.0.1:PORT"
  void Stop();
  void Start();
  // The next `requests` requests, whatever they are, get 503 SlowDown.
  void FailNext(int requests);

  // Keys under `prefix`, in listing (lexicographic) order.
  std::vector<std::string> Keys(const std::string& prefix);
  // The stored bytes of `key`; throws when it is not there.
  std::string Object(const std::string& key);
  void Delete(const std::string& key);
  // Stores `bytes` under `key`, as a store that kept part of an interrupted upload would.
  void Put(const std::string& key, const std::string& bytes);

 private:
  std::string bucket_;
  TempDir data_;
  int port_ = 0;
  std::unique_ptr<InteractiveProcess> process_;
};

}  // namespace sqlite_cdc::testing
