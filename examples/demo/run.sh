#!/usr/bin/env bash
# `make run`: a demo ML-pipeline database, CDC set up on it, a small writer, and the change events
# streamed as JSON to the terminal. Stops by itself.
set -euo pipefail
build=${1:-build}
bin="$build/cli"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/ml.db"

sqlite3 "$db" <<'SQL'
CREATE TABLE raw_data (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, data JSON NOT NULL,
                       created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE features (id INTEGER PRIMARY KEY, entity_id TEXT, feature_name TEXT, feature_value REAL,
                       version INTEGER DEFAULT 1, computed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE experiments (id INTEGER PRIMARY KEY, name TEXT, hyperparams JSON, metrics JSON, model_path TEXT,
                          status TEXT DEFAULT 'running', created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE models (id INTEGER PRIMARY KEY, name TEXT, version TEXT, experiment_id INTEGER REFERENCES experiments(id),
                     status TEXT DEFAULT 'staging', metrics JSON, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE predictions (id INTEGER PRIMARY KEY, model_id INTEGER REFERENCES models(id), input JSON, output JSON,
                          latency_ms REAL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
INSERT INTO raw_data (source, data) VALUES ('sensor-a', '{"t": 21.5}');
SQL

echo "== sqlite-cdc-setup --db $db --setup" >&2
"$bin/sqlite-cdc-setup" --db "$db" --setup

echo "== sqlite-cdc --db $db --bootstrap --cdc --output json (stops after the writer)" >&2
"$bin/sqlite-cdc" --db "$db" --bootstrap --cdc --output json --log-level warn &
cdc=$!

# The application: a few steps of an ML pipeline, through the plain sqlite3 shell.
for step in 1 2 3; do
  sqlite3 "$db" <<SQL
INSERT INTO raw_data (source, data) VALUES ('sensor-$step', '{"t": $((20 + step)).0}');
INSERT INTO features (entity_id, feature_name, feature_value) VALUES ('e$step', 'mean_t', $step.5);
INSERT INTO experiments (name, hyperparams) VALUES ('exp-$step', '{"lr": 0.0$step}');
UPDATE experiments SET status = 'done', metrics = '{"auc": 0.9$step}' WHERE name = 'exp-$step';
INSERT INTO models (name, version, experiment_id, metrics) VALUES ('model', 'v$step', $step, '{"auc": 0.9$step}');
INSERT INTO predictions (model_id, input, output, latency_ms) VALUES ($step, '{"x": $step}', '{"y": 1}', 1.$step);
SQL
  sleep 0.3
done
sqlite3 "$db" "DELETE FROM predictions WHERE id = 1; UPDATE models SET status = 'production' WHERE version = 'v3';"
sleep 0.5
kill -TERM "$cdc"
wait "$cdc"
echo "== done: every change above came from the log table, in commit order" >&2
