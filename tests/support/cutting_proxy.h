#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace sqlite_cdc::testing {

// A TCP proxy on 127.0.0.1 in front of a local server, for a fault real networks make and a server
// cannot: an answer lost after the server acted on the request (a COMMIT that committed, its reply
// never seen). Connections pass through untouched until armed; then the first chunk a client sends
// that contains the armed bytes is forwarded, the server is given `grace` to act on it, and that
// connection is closed on both sides with the server's answer dropped. Later connections pass again.
class CuttingProxy {
 public:
  explicit CuttingProxy(int server_port, int grace_ms = 300);
  ~CuttingProxy();
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  int port() const { return port_; }
  void CutAfter(std::string bytes);
  bool cut() const { return cut_; }

 private:
  void Accept();
  void Pump(int client, int server);

  int server_port_;
  int grace_ms_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::atomic<bool> armed_{false};
  std::string armed_bytes_;  // written before armed_ is set, read after it is seen set
  std::thread acceptor_;
  std::vector<std::thread> pumps_;  // touched by the acceptor only, joined after it
};

// The simple-query message PostgreSQL's libpq sends for PQexec(conn, "COMMIT").
inline const std::string kPostgresCommitMessage(
    "Q\0\0\0\x0b"
    "COMMIT\0",
    12);

}  // namespace sqlite_cdc::testing
