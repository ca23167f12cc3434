// The PostgreSQL replica's parts that need no server: its URL and the values it sends.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "sinks/postgres/pg_connection.h"
#include "sinks/postgres/pg_value.h"
#include "sinks/postgres/postgres_url.h"

namespace sqlite_cdc::sinks {
namespace {

using json = nlohmann::json;

TEST(PostgresUrlTest, TheSchemaIsTakenOutAndEveryOtherParameterPassedToLibpq) {
  PostgresTarget target;
  ASSERT_TRUE(ParsePostgresUrl("postgres://app@db.example:5433/shop?schema=Replica%20One&sslmode=verify-full&"
                               "connect_timeout=5",
                               &target)
                  .ok());
  EXPECT_EQ(target.schema, "Replica One");
  EXPECT_EQ(target.conninfo, "postgres://app@db.example:5433/shop?sslmode=verify-full&connect_timeout=5");
  EXPECT_EQ(target.display, "postgres://***@db.example:5433/shop?schema=***&sslmode=***&connect_timeout=***");
  ASSERT_TRUE(ParsePostgresUrl("postgresql://h1:5432,h2:5432/db", &target).ok());
  EXPECT_EQ(target.schema, "public");
  EXPECT_EQ(target.conninfo, "postgresql://h1:5432,h2:5432/db");
}

TEST(PostgresUrlTest, APasswordInTheUrlIsRefusedWithoutRepeatingIt) {
  PostgresTarget target;
  for (const char* url : {"postgres://app:hunter2-secret@db/shop", "postgres://db/shop?password=hunter2-secret",
                          "postgres://db/shop?sslmode=require&password=hunter2-secret",
                          "postgres://app:hunter2?secret@db:5432/shop", "postgres://db/shop?sslpassword=hunter2"}) {
    const Status status = ParsePostgresUrl(url, &target);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << url;
    EXPECT_NE(status.message().find("PGPASSWORD, ~/.pgpass or --pg-password-file"), std::string::npos) << url;
    EXPECT_EQ(status.message().find("hunter2"), std::string::npos) << status.message();
  }
  // A '/' in the password ends the user info for libpq: the rest reads as a host and a port, and
  // libpq's complaint about that port must not quote it.
  for (const char* url : {"postgres://app:hunter2/secret@db:5432/shop", "postgres://app:hunter2?secret=x@db/shop",
                          "postgres://app:se/cret?hunter2=1@db/shop"}) {
    const Status status = ParsePostgresUrl(url, &target);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << url;
    EXPECT_EQ(status.message().find("hunter2"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find("secret"), std::string::npos) << status.message();
  }
}

TEST(PostgresUrlTest, SslTrueIsTakenAsLibpqTakesIt) {
  PostgresTarget target;
  const Status status = ParsePostgresUrl("postgres://cdc@db:5432/shop?ssl=true", &target);
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(PostgresUrlTest, MalformedUrlsAreRefusedNamingThem) {
  PostgresTarget target;
  EXPECT_FALSE(ParsePostgresUrl("postgres://db/shop?schema=", &target).ok());
  EXPECT_FALSE(ParsePostgresUrl("postgres://db/shop?schema=%zz", &target).ok());
  const Status unknown = ParsePostgresUrl("postgres://db/shop?sslmod=require", &target);
  EXPECT_EQ(unknown.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(unknown.message().find("sslmod"), std::string::npos) << unknown.message();
  const Status other = ParsePostgresUrl("mysql://db/shop", &target);
  EXPECT_NE(other.message().find("not a postgres:// URL"), std::string::npos) << other.message();
}

// What PostgreSQL's float8in gets must read back as the very double: shortest round-trip text.
TEST(PgValueTest, RealsGoAsTextThatReadsBackBitForBit) {
  for (double value : {10.0 / 3, 0.1 + 0.2, 9007199254740994.0, 5e-324, 1.7976931348623157e308, -2.5e-8, -0.0}) {
    const std::string text = *PgText(json(value), PgType::kDouble);
    const double back = std::strtod(text.c_str(), nullptr);
    EXPECT_EQ(std::memcmp(&back, &value, sizeof value), 0) << text;
  }
  EXPECT_EQ(PgText(json::parse("1e300"), PgType::kDouble), "1e+300");
  EXPECT_EQ(PgText(json("Infinity"), PgType::kDouble), "Infinity");
  EXPECT_EQ(PgText(json("-Infinity"), PgType::kDouble), "-Infinity");
  EXPECT_EQ(PgText(json(3), PgType::kDouble), "3");
}

TEST(PgValueTest, TypesByAffinityWithUntypedAndNumericColumnsAsJsonb) {
  EXPECT_EQ(PgTypeOf("INTEGER"), PgType::kBigint);
  EXPECT_EQ(PgTypeOf("unsigned big int"), PgType::kBigint);
  EXPECT_EQ(PgTypeOf("DOUBLE PRECISION"), PgType::kDouble);
  EXPECT_EQ(PgTypeOf("VARCHAR(20)"), PgType::kText);
  EXPECT_EQ(PgTypeOf("BLOB"), PgType::kBytea);
  EXPECT_EQ(PgTypeOf("NUMERIC"), PgType::kJsonb);
  EXPECT_EQ(PgTypeOf("DATETIME"), PgType::kJsonb);
  EXPECT_EQ(PgTypeOf(""), PgType::kJsonb);
  EXPECT_EQ(PgText(json::parse("\"12.50\""), PgType::kJsonb), "\"12.50\"") << "text stays text";
  EXPECT_EQ(PgText(json::parse("12.5"), PgType::kJsonb), "12.5");
  EXPECT_EQ(PgText(json(nullptr), PgType::kJsonb), std::nullopt) << "SQL NULL, not JSON null";
}

TEST(PgValueTest, BlobHexBecomesByteaAndAValueItsTypeCannotHoldIsRefused) {
  EXPECT_EQ(PgText(json("00FF10"), PgType::kBytea), "\\x00FF10");
  EXPECT_EQ(PgText(json(""), PgType::kBytea), "\\x") << "an empty blob is not NULL";
  EXPECT_EQ(PgText(json(std::numeric_limits<int64_t>::max()), PgType::kBigint), "9223372036854775807");
  EXPECT_THROW(PgText(json("not a number"), PgType::kBigint), ValueMismatch);
  EXPECT_THROW(PgText(json(1.5), PgType::kBigint), ValueMismatch);
  EXPECT_THROW(PgText(json("abc"), PgType::kDouble), ValueMismatch);
  EXPECT_THROW(PgText(json("hello"), PgType::kBytea), ValueMismatch);
  EXPECT_THROW(PgText(json(std::string("a\0b", 3)), PgType::kText), ValueMismatch);
}

TEST(PgValueTest, CopyFieldsEscapeWhatCopyTextFormatReserves) {
  std::string out;
  AppendCopyField(out, std::string("a\tb\\c\nd\re"));
  out += '|';
  AppendCopyField(out, std::nullopt);
  out += '|';
  AppendCopyField(out, std::string("\\N"));
  EXPECT_EQ(out, "a\\tb\\\\c\\nd\\re|\\N|\\\\N");
}

TEST(PgErrorTest, WhatARetryMayGetPastIsTransientAndWhatNeedsAPersonIsNot) {
  // 25006: read-only after a failover; 55P03: lock_timeout; 57014: statement_timeout or a cancel.
  for (const char* state : {"08006", "08001", "40001", "40P01", "53300", "57P01", "57P03", "25006", "55P03", "57014"}) {
    EXPECT_TRUE(IsTransientSqlState(state)) << state;
  }
  for (const char* state : {"28P01", "42501", "3F000", "42P01", "23505", "22P02"}) {
    EXPECT_FALSE(IsTransientSqlState(state)) << state;
  }
}

}  // namespace
}  // namespace sqlite_cdc::sinks
