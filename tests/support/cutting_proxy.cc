#include "support/cutting_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace sqlite_cdc::testing {

namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = send(fd, data, size, MSG_NOSIGNAL);
    if (written <= 0) return false;
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

}  // namespace

CuttingProxy::CuttingProxy(int server_port, int grace_ms) : server_port_(server_port), grace_ms_(grace_ms) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof address;
  if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener_, 16) != 0 || getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (listener_ >= 0) close(listener_);
    throw std::runtime_error("the proxy cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

CuttingProxy::~CuttingProxy() {
  stopping_ = true;
  acceptor_.join();
  for (std::thread& pump : pumps_) pump.join();
  close(listener_);
}

void CuttingProxy::CutAfter(std::string bytes) {
  armed_bytes_ = std::move(bytes);
  armed_ = true;
}

void CuttingProxy::Accept() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (poll(&ready, 1, 50) <= 0) continue;
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in address = Loopback(server_port_);
    if (server < 0 || connect(server, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      close(client);
      if (server >= 0) close(server);
      continue;
    }
    pumps_.emplace_back([this, client, server] { Pump(client, server); });
  }
}

void CuttingProxy::Pump(int client, int server) {
  char buffer[65536];
  for (bool open = true; open && !stopping_;) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (poll(fds, 2, 50) <= 0) continue;
    for (int side = 0; side < 2 && open; ++side) {
      if (!(fds[side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = recv(fds[side].fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        open = false;
        break;
      }
      const std::string_view chunk(buffer, static_cast<size_t>(got));
      const bool from_client = side == 0;
      if (from_client && armed_ && chunk.find(armed_bytes_) != std::string_view::npos && armed_.exchange(false)) {
        WriteAll(server, buffer, chunk.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(grace_ms_));  // the server acts and answers
        cut_ = true;
        open = false;  // its answer is never read: closing drops it
        break;
      }
      open = WriteAll(from_client ? server : client, buffer, chunk.size());
    }
  }
  close(client);
  close(server);
}

}  // namespace sqlite_cdc::testing
