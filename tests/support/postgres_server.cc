#include "support/postgres_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "schema/identifier.h"
#include "support/process.h"

namespace sqlite_cdc::testing {
namespace {

constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin/";
constexpr char kRunuser[] = "/usr/sbin/runuser";

// A port nothing listens on now (the kernel's choice for a socket bound to port 0).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

// PostgreSQL refuses to run as root: as root (CI's containers) the server runs as the `postgres`
// user; otherwise as ourselves.
bool Root() { return geteuid() == 0; }

ProcessResult AsPostgres(const std::string& program, const std::vector<std::string>& args) {
  if (!Root()) return RunProcess(kBinDir + program, args);
  std::vector<std::string> full{"-u", "postgres", "--", kBinDir + program};
  full.insert(full.end(), args.begin(), args.end());
  return RunProcess(kRunuser, full);
}

void ChownToPostgres(const std::string& path) {
  if (!Root()) return;
  const passwd* user = getpwnam("postgres");
  if (user == nullptr || chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error("cannot give " + path + " to the postgres user");
  }
}

}  // namespace

PostgresServer::PostgresServer() : data_(dir_.File("data")), port_(FreePort()) {
  // The postgres user must reach its folder inside our temp dir.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                std::filesystem::perms::others_exec);
  std::filesystem::create_directory(data_);
  ChownToPostgres(data_);
  const ProcessResult init = AsPostgres("initdb", {"-D", data_, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                                   "--locale=C.UTF-8", "--no-sync", "--no-instructions"});
  if (init.exit_code != 0) throw std::runtime_error("initdb failed: " + init.out + init.err);
  {
    std::ofstream config(data_ + "/postgresql.conf", std::ios::app);
    config << "listen_addresses = '127.0.0.1'\nport = " << port_
           << "\nunix_socket_directories = ''\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
              "max_connections = 40\nshared_buffers = 32MB\n";
    std::ofstream hba(data_ + "/pg_hba.conf", std::ios::trunc);
    hba << "host all cdc_pw 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n";
  }
  Start();
  Superuser().Execute(std::string("CREATE ROLE cdc LOGIN; CREATE ROLE cdc_pw LOGIN PASSWORD '") + kPassword +
                      "'; GRANT CREATE ON DATABASE postgres TO cdc, cdc_pw");
}

PostgresServer::~PostgresServer() {
  superuser_.reset();
  try {
    PgCtl({"stop", "-m", "immediate"});
  } catch (const std::exception&) {
  }
}

void PostgresServer::PgCtl(const std::vector<std::string>& args) {
  std::vector<std::string> full{"-D", data_, "-l", data_ + "/server.log", "-w", "-t", "60"};
  full.insert(full.end(), args.begin(), args.end());
  const ProcessResult result = AsPostgres("pg_ctl", full);
  if (result.exit_code != 0) {
    throw std::runtime_error("pg_ctl " + args.front() + " failed: " + result.out + result.err +
                             ReadFile(data_ + "/server.log"));
  }
}

void PostgresServer::Start() { PgCtl({"start"}); }

void PostgresServer::Stop() {
  superuser_.reset();
  PgCtl({"stop", "-m", "fast"});
}

sinks::PgConnection& PostgresServer::Superuser() {
  if (!superuser_ || !superuser_->Usable()) {
    superuser_ = sinks::PgConnection::Connect(Url("postgres"), "");
  }
  return *superuser_;
}

std::string PostgresServer::Url(const std::string& user, const std::string& schema) const {
  return "postgres://" + user + "@127.0.0.1:" + std::to_string(port_) + "/postgres" +
         (schema.empty() ? "" : "?schema=" + schema);
}

std::string PostgresServer::NewSchema(const std::string& owner) {
  const std::string name = "test_" + std::to_string(++schemas_);
  Superuser().Execute("CREATE SCHEMA " + name + " AUTHORIZATION " + owner);
  return name;
}

PostgresServer::Rows PostgresServer::Query(const std::string& sql) {
  sinks::PgResult result = Superuser().Query(sql);
  Rows rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.emplace_back();
      } else {
        row.emplace_back(PQgetvalue(result.get(), r, c));
      }
    }
  }
  return rows;
}

std::string PostgresServer::Dump(const std::string& schema, const std::string& table) {
  const std::string qualified = schema::QuoteIdentifier(schema) + "." + schema::QuoteIdentifier(table);
  sinks::PgResult result = Superuser().Query("SELECT * FROM " + qualified + " ORDER BY " + "1");
  const int columns = PQnfields(result.get());
  std::string order;
  for (int c = 1; c <= columns; ++c) order += (c > 1 ? ", " : "") + std::to_string(c);
  result = Superuser().Query("SELECT * FROM " + qualified + " ORDER BY " + order);
  std::string out;
  for (int c = 0; c < columns; ++c) out += (c ? "|" : "") + std::string(PQfname(result.get(), c));
  out += "\n";
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    for (int c = 0; c < columns; ++c) {
      out += c ? "|" : "";
      out += PQgetisnull(result.get(), r, c) ? "NULL" : PQgetvalue(result.get(), r, c);
    }
    out += "\n";
  }
  return out;
}

}  // namespace sqlite_cdc::testing
