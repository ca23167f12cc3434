#include "sinks/kafka/kafka_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "sinks/net/url_redaction.h"

namespace sqlite_cdc::sinks {
namespace {

constexpr std::string_view kScheme = "kafka://";
constexpr std::string_view kTablePlaceholder = "{table}";

bool IsTopicChar(unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; }

bool IsHostChar(unsigned char c) { return std::isalnum(c) || c == '.' || c == '-' || c == '_'; }

// One `host:port` of the broker list; `problem` says what is wrong when it returns false.
bool ValidBroker(std::string_view broker, std::string* problem) {
  const size_t colon = broker.rfind(':');
  if (colon == std::string_view::npos) {
    *problem = "broker '" + std::string(broker) + "' has no port (expected host:port)";
    return false;
  }
  const std::string_view host = broker.substr(0, colon);
  const std::string_view port = broker.substr(colon + 1);
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  const bool host_ok =
      bracketed
          ? host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos
          : !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) { return IsHostChar(c); });
  if (!host_ok) {
    *problem = "broker '" + std::string(broker) + "' has an invalid host";
    return false;
  }
  int number = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
    *problem = "broker '" + std::string(broker) + "' has an invalid port (expected 1-65535)";
    return false;
  }
  return true;
}

// The topic template: legal topic characters around any number of `{table}`s.
bool ValidTopic(std::string_view topic, std::string* problem) {
  if (topic.empty()) {
    *problem = "no topic (expected kafka://host:port/topic)";
    return false;
  }
  std::string fixed;  // the template without its placeholders
  for (size_t at = 0; at < topic.size();) {
    if (topic.substr(at, kTablePlaceholder.size()) == kTablePlaceholder) {
      at += kTablePlaceholder.size();
      continue;
    }
    if (!IsTopicChar(topic[at])) {
      *problem = "topic '" + std::string(topic) + "' holds '" + std::string(1, topic[at]) +
                 "' (topics allow letters, digits, '.', '_', '-' and the placeholder {table})";
      return false;
    }
    fixed += topic[at++];
  }
  if (fixed.size() > kMaxTopicLength) {
    *problem = "topic '" + std::string(topic) + "' is longer than " + std::to_string(kMaxTopicLength) + " characters";
    return false;
  }
  if (topic == "." || topic == "..") {
    *problem = "topic '" + std::string(topic) + "' is not allowed by Kafka";
    return false;
  }
  return true;
}

}  // namespace

Status ParseKafkaUrl(const std::string& url, KafkaUrl* parsed) {
  auto invalid = [&url](const std::string& problem) {
    return Status::InvalidArgument("invalid Kafka URL '" + RedactUrl(url) + "': " + problem);
  };
  if (url.rfind(kScheme, 0) != 0) return invalid("expected kafka://host:port[,host:port]/topic");
  const std::string_view rest = std::string_view(url).substr(kScheme.size());
  if (rest.find_first_of("?#@") != std::string_view::npos) {
    return invalid("no user, query or fragment allowed (pass settings with --kafka-property)");
  }
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return invalid("no topic (expected kafka://host:port/topic)");
  const std::string_view brokers = rest.substr(0, slash);
  const std::string_view topic = rest.substr(slash + 1);
  if (brokers.empty()) return invalid("no broker (expected kafka://host:port/topic)");
  if (topic.find('/') != std::string_view::npos) return invalid("the topic may not contain '/'");

  KafkaUrl result;
  std::string problem;
  for (size_t start = 0; start <= brokers.size();) {
    const size_t comma = std::min(brokers.find(',', start), brokers.size());
    if (!ValidBroker(brokers.substr(start, comma - start), &problem)) return invalid(problem);
    start = comma + 1;
  }
  if (!ValidTopic(topic, &problem)) return invalid(problem);
  result.bootstrap_servers = std::string(brokers);
  result.topic = std::string(topic);
  *parsed = std::move(result);
  return Status::Ok();
}

std::string TopicForTable(std::string_view topic_template, std::string_view table) {
  std::string topic;
  topic.reserve(topic_template.size() + table.size());
  for (size_t at = 0; at < topic_template.size();) {
    if (topic_template.substr(at, kTablePlaceholder.size()) == kTablePlaceholder) {
      for (unsigned char c : table) topic += IsTopicChar(c) ? static_cast<char>(c) : '_';
      at += kTablePlaceholder.size();
    } else {
      topic += topic_template[at++];
    }
  }
  return topic;
}

}  // namespace sqlite_cdc::sinks
