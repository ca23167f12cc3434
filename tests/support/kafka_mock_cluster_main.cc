// kafka_mock_cluster [--brokers N] TOPIC:PARTITIONS...: a Kafka cluster that speaks the real
// protocol on loopback, librdkafka's mock cluster, for the integration tests.
//
// Prints the bootstrap servers as its first line, then reads commands on stdin, one a line, and
// answers each with one line ("ok <command>" or "error <why>") once it took effect, so that a test
// knows when a fault is in place:
//   push-errors N CODE     the next N Produce requests fail with Kafka error CODE
//   push-request-errors API N CODE   the next N requests of API key API (26: EndTxn) fail with CODE
//   broker-down ID         broker ID (-1: all) drops its connections and refuses new ones
//   broker-up ID           broker ID (-1: all) accepts connections again
// Runs until stdin closes or SIGTERM/SIGINT arrives.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int16_t kProduceApiKey = 0;

struct Deleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  void operator()(rd_kafka_mock_cluster_t* cluster) const { rd_kafka_mock_cluster_destroy(cluster); }
};

void Answer(const std::string& line) {
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

std::string Run(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream words(line);
  std::string command;
  words >> command;
  if (command == "push-errors") {
    size_t count = 0;
    int code = 0;
    if (!(words >> count >> code)) return "error usage: push-errors N CODE";
    const std::vector<rd_kafka_resp_err_t> errors(count, static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(cluster, kProduceApiKey, count, errors.data());
    return "ok " + line;
  }
  if (command == "push-request-errors") {
    int api = 0;
    size_t count = 0;
    int code = 0;
    if (!(words >> api >> count >> code)) return "error usage: push-request-errors API N CODE";
    const std::vector<rd_kafka_resp_err_t> errors(count, static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(api), count, errors.data());
    return "ok " + line;
  }
  if (command == "broker-down" || command == "broker-up") {
    int32_t id = 0;
    if (!(words >> id)) return "error usage: " + command + " ID";
    const rd_kafka_resp_err_t result = command == "broker-down" ? rd_kafka_mock_broker_set_down(cluster, id)
                                                                : rd_kafka_mock_broker_set_up(cluster, id);
    if (result != RD_KAFKA_RESP_ERR_NO_ERROR) return std::string("error ") + rd_kafka_err2str(result);
    return "ok " + line;
  }
  return "error unknown command: " + command;
}

// A descriptor that becomes readable when SIGTERM or SIGINT arrives. Call before any thread starts,
// so that librdkafka's threads inherit the mask and the signal is not delivered to one of them.
int StopSignals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  return signalfd(-1, &stop, SFD_CLOEXEC);
}

// Serves stdin commands until stdin closes or a stop signal arrives on `signals`.
void Serve(rd_kafka_mock_cluster_t* cluster, int signals) {
  std::string pending;
  while (true) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signals, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents & POLLIN) return;
    if (!(fds[0].revents & (POLLIN | POLLHUP))) continue;
    char buffer[4096];
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) return;
    pending.append(buffer, n);
    for (size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1)) {
      const std::string line = pending.substr(0, end);
      if (!line.empty()) Answer(Run(cluster, line));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
    } else if (const size_t colon = arg.rfind(':'); colon != std::string::npos) {
      topics.emplace_back(arg.substr(0, colon), std::atoi(arg.c_str() + colon + 1));
    } else {
      std::fprintf(stderr, "usage: kafka_mock_cluster [--brokers N] TOPIC:PARTITIONS...\n");
      return 2;
    }
  }

  const int signals = StopSignals();
  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The instance only hosts the cluster and never connects: its "no bootstrap.servers" notice is noise.
  rd_kafka_conf_set(conf, "log_level", "4", error, sizeof error);
  std::unique_ptr<rd_kafka_t, Deleter> handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error));
  if (!handle) {
    rd_kafka_conf_destroy(conf);
    std::fprintf(stderr, "kafka_mock_cluster: %s\n", error);
    return 1;
  }
  // Declared after `handle`, so destroyed before the instance it was made on.
  std::unique_ptr<rd_kafka_mock_cluster_t, Deleter> cluster(rd_kafka_mock_cluster_new(handle.get(), brokers));
  if (!cluster) {
    std::fprintf(stderr, "kafka_mock_cluster: cannot start the mock cluster\n");
    return 1;
  }
  for (const auto& [name, partitions] : topics) {
    const rd_kafka_resp_err_t result =
        rd_kafka_mock_topic_create(cluster.get(), name.c_str(), partitions, std::min(brokers, 3));
    if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "kafka_mock_cluster: topic %s: %s\n", name.c_str(), rd_kafka_err2str(result));
      return 1;
    }
  }
  Answer(rd_kafka_mock_cluster_bootstraps(cluster.get()));
  Serve(cluster.get(), signals);
  return 0;
}
