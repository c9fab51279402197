-- genbench run history, schema 1. One script for SQLite and PostgreSQL: TEXT, INTEGER, BIGINT, DOUBLE PRECISION and
-- NUMERIC mean the same to both (SQLite by type affinity). Times are UTC ISO-8601 text of fixed width
-- (2026-11-21T10:15:00Z): they sort and compare as text in both, and read as such in either shell. Money is NUMERIC,
-- exact in PostgreSQL. Tables are prefixed so that a team may point genbench at a database that holds other tables.

-- One row per recorded run. run_key identifies the run across re-recordings (after --resume, genbench report,
-- genbench history record): a hash of its directory name, start time and host, so two runs written to the same
-- --out directory name (results/smoke) stay two runs.
CREATE TABLE genbench_runs (
  run_key          TEXT NOT NULL PRIMARY KEY,
  run_id           TEXT NOT NULL,           -- the run directory's name
  run_dir          TEXT NOT NULL,           -- absolute path of the run directory when it was recorded
  started_at       TEXT NOT NULL,           -- environment.json started_at (else plan.yaml's modification time)
  finished_at      TEXT,                    -- environment.json finished_at; null for an unfinished run
  recorded_at      TEXT NOT NULL,
  backend          TEXT,                    -- onnx-cpu, torch, diffusers
  device           TEXT,
  host             TEXT,
  genbench_version TEXT,
  git_commit       TEXT,
  plan_name        TEXT,                    -- the plan file's name without extension, else its mode
  plan_sha256      TEXT NOT NULL,           -- of plan.yaml's bytes: runs of one plan share it
  cases_planned    INTEGER NOT NULL,
  cases_finished   INTEGER NOT NULL,
  cases_success    INTEGER NOT NULL
);

CREATE INDEX genbench_runs_started_at ON genbench_runs (started_at);

-- One row per finished case of a recorded run: result.json's headline figures. Null where a figure does not exist
-- (a failed case has no latency; an LLM case has tokens, not images).
CREATE TABLE genbench_case_results (
  run_key                       TEXT NOT NULL REFERENCES genbench_runs (run_key) ON DELETE CASCADE,
  case_id                       TEXT NOT NULL,
  model                         TEXT NOT NULL,
  model_label                   TEXT,
  requested_instance            TEXT,
  actual_instance               TEXT,
  lifecycle                     TEXT,                -- spot | ondemand: which price was the actual one
  spot_usd_per_hour             NUMERIC,
  ondemand_usd_per_hour         NUMERIC,
  price_source                  TEXT,                -- aws-api, cache, catalog
  batch_size                    INTEGER NOT NULL,
  inference_steps               INTEGER NOT NULL,
  resolution                    TEXT,
  precision                     TEXT,
  backend                       TEXT,
  device                        TEXT,
  status                        TEXT NOT NULL,       -- summary.csv's: SUCCESS, OOM_SKIPPED, ..., FAILED
  verdict                       TEXT,                -- VALID, HOST-BOUND, INVALID
  e2e_p50_ms                    DOUBLE PRECISION,
  e2e_p95_ms                    DOUBLE PRECISION,
  e2e_p99_ms                    DOUBLE PRECISION,
  images_per_s                  DOUBLE PRECISION,
  tokens_per_s                  DOUBLE PRECISION,
  peak_memory_bytes             BIGINT,
  memory_kind                   TEXT,                -- cuda-reserved, rss-delta, rss-process-peak
  cost_1000_images_ondemand_usd NUMERIC,
  cost_1000_images_spot_usd     NUMERIC,
  cost_1m_tokens_ondemand_usd   NUMERIC,
  cost_1m_tokens_spot_usd       NUMERIC,
  trials                        INTEGER NOT NULL,
  iterations                    INTEGER NOT NULL,    -- measured iterations, every trial
  PRIMARY KEY (run_key, case_id)
);

CREATE INDEX genbench_case_results_case_id ON genbench_case_results (case_id);
