#include "sinks/postgres/pg_connection.h"

namespace sqlite_cdc::sinks {
namespace {

// libpq's messages start with "ERROR:  " or "FATAL:  " and may go on over lines (DETAIL, HINT).
std::string FirstLine(const char* message) {
  std::string text = message ? message : "";
  const size_t newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (text.rfind(prefix, 0) == 0) text.erase(0, std::string(prefix).size());
  }
  return text.empty() ? "unknown error" : text;
}

// A connection attempt that failed: unreachable or restarting servers are retried, a refusal
// (authentication, no such role or database, pg_hba) is not.
bool ConnectFailureIsTransient(const std::string& message) {
  // libpq's own refusals, before or without the server's word: no retry changes them.
  for (const char* permanent :
       {"no password supplied", "certificate", "SSL was required", "does not support SSL", "invalid ", "GSSAPI"}) {
    if (message.find(permanent) != std::string::npos) return false;
  }
  if (message.find("FATAL:") == std::string::npos) return true;  // refused, timed out, unresolvable
  for (const char* passing : {"starting up", "shutting down", "in recovery", "not yet accepting connections",
                              "too many clients", "remaining connection slots"}) {
    if (message.find(passing) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

bool IsTransientSqlState(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "40001" || sqlstate == "40P01" || sqlstate.rfind("53", 0) == 0 ||
         sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "25006" ||
         sqlstate == "55P03" || sqlstate == "57014";
}

std::unique_ptr<PgConnection> PgConnection::Connect(const std::string& conninfo, const std::string& password) {
  // expand_dbname: the URI's own settings, then the password given apart from it.
  const char* keywords[] = {"dbname", password.empty() ? nullptr : "password", nullptr};
  const char* values[] = {conninfo.c_str(), password.empty() ? nullptr : password.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) throw PgError("out of memory", true);
  std::unique_ptr<PgConnection> connection(new PgConnection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(conn);
    throw PgError("connect: " + FirstLine(message.c_str()), ConnectFailureIsTransient(message));
  }
  connection->Execute("SET client_encoding = 'UTF8'; SET extra_float_digits = 1");
  return connection;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::Usable() const { return PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

void PgConnection::Commit() {
  PgResult result = Checked(PQexec(conn_, "COMMIT"));
  if (std::string(PQcmdStatus(result.get())) != "COMMIT") {
    throw PgError("COMMIT was answered with " + std::string(PQcmdStatus(result.get())) +
                      ": the transaction had failed and was rolled back",
                  true);
  }
}

void PgConnection::Fail(const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = FirstLine(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  // No SQLSTATE: the connection itself failed (the server went away mid-statement).
  const bool transient = state == nullptr ? true : IsTransientSqlState(state);
  throw PgError(message, transient || !Usable(), state ? state : "");
}

PgResult PgConnection::Checked(PGresult* raw) {
  PgResult result(raw);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN) Fail(result.get());
  return result;
}

std::string PgConnection::Literal(const std::string& text) {
  char* escaped = PQescapeLiteral(conn_, text.data(), text.size());
  if (escaped == nullptr) Fail(nullptr);
  std::string literal(escaped);
  PQfreemem(escaped);
  return literal;
}

void PgConnection::Execute(const std::string& sql) {
  // PQexec runs several statements; only the last result is returned, and an error stops the rest.
  Checked(PQexec(conn_, sql.c_str()));
}

PgResult PgConnection::Query(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& param : params) values.push_back(param ? param->c_str() : nullptr);
  return Checked(
      PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
}

void PgConnection::CopyIn(const std::string& copy_sql, const std::string& data) {
  PgResult started = Checked(PQexec(conn_, copy_sql.c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) throw PgError("COPY did not start", false);
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(conn_, nullptr) != 1) {
    Fail(nullptr);
  }
  // The COPY's outcome, then nothing: a connection must be drained before its next statement.
  PgResult outcome(PQgetResult(conn_));
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  Checked(outcome.release());
}

}  // namespace sqlite_cdc::sinks
