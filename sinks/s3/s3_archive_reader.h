#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sinks/archive_reader.h"
#include "sinks/s3/s3_client.h"
#include "sqlite_cdc/restore.h"

namespace sqlite_cdc::sinks {

// Reads an S3 archive for a restore up to `point`: the newest whole snapshot at or before the
// point, the schema in effect there, then every changes object after the snapshot in log order.
// Overlapping objects (a batch re-cut after a restart) give each id once; a log id that no object
// holds is an error, never a silently wrong database.
class S3ArchiveReader : public ArchiveReader {
 public:
  S3ArchiveReader(std::unique_ptr<S3Client> client, RestorePoint point);

  Status Schema(WatchedSchema* schema) override;
  Status Next(Changes* batch) override;

  // What the plan chose, for the report: "snapshot <run> at log id N" or "no snapshot".
  const std::string& starting_point() const override { return starting_point_; }
  Status Describe(ArchiveInventory* inventory, bool verify) override;

 private:
  struct ChangesObject {
    std::string key;
    int64_t first_id;
    int64_t last_id;
  };

  // The archive's objects by kind, from one listing.
  struct Listing {
    std::vector<ChangesObject> changes;
    std::map<int64_t, std::string> schemas;                 // log position -> key
    std::map<std::string, std::string> manifests;           // snapshot run -> key
    std::map<std::string, std::vector<std::string>> parts;  // snapshot run -> part keys
  };

  Status Plan(WatchedSchema* schema);
  Status List(Listing* listing);
  Status ChooseSnapshot(const Listing& listing);
  Status ChooseSchema(const std::map<int64_t, std::string>& schemas, WatchedSchema* schema);
  Status Fetch(const std::string& key, std::string* body);
  // A 404 is `gone` rather than a failure: an object a retention pass deleted since the listing.
  Status FetchIfThere(const std::string& key, std::string* body, bool* gone);
  Status FetchEvents(const std::string& key, Changes* batch);
  Status ParseEvents(const std::string& key, const std::string& compressed, Changes* batch);
  // A whole change object: kCorruption when it does not hold the ids its name says, or when it is
  // gone and `gone` is null; with `gone`, a 404 sets it instead.
  Status FetchObject(const ChangesObject& object, Changes* events, bool* gone = nullptr);
  // Whether an object not yet read holds change `id`: a damaged object it covers is skipped.
  bool CoveredByALaterObject(int64_t id) const;
  // The timestamp of log id `id`, read from a change object that holds it (each object fetched
  // once, kept in `fetched`); empty if none does. An object that does not read joins `damaged`, one
  // deleted since the listing `gone`.
  Status TimeOf(int64_t id, const std::vector<ChangesObject>& objects, std::map<std::string, Changes>* fetched,
                std::set<std::string>* damaged, std::set<std::string>* gone, std::string* time);

  std::unique_ptr<S3Client> client_;
  RestorePoint point_;
  std::vector<std::string> snapshot_parts_;
  std::vector<ChangesObject> objects_;
  size_t next_part_ = 0;
  size_t next_object_ = 0;
  int64_t next_id_ = 1;  // the first log id not yet handed out
  std::string starting_point_;
};

}  // namespace sqlite_cdc::sinks
