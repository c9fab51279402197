-- genbench run history, schema 2: load runs (genbench load) beside case runs (genbench run). One script for SQLite and
-- PostgreSQL, as V1.

-- What recorded the run: 'run' (genbench run: cases) or 'load' (genbench load: load levels). Runs recorded under schema 1
-- are case runs. For a load run, cases_planned and cases_finished count its levels and cases_success its VALID levels.
ALTER TABLE genbench_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run';

-- One row per level of a recorded load run, against one target: levels.csv's headline figures (measured requests,
-- warm-up excluded; latencies nearest-rank over successful requests). Null where a figure does not exist (a closed
-- loop has no offered rate; an image API has no TTFT or TPOT).
CREATE TABLE genbench_load_levels (
  run_key          TEXT NOT NULL REFERENCES genbench_runs (run_key) ON DELETE CASCADE,
  seq              INTEGER NOT NULL,          -- the level's place in the run (the order they ran), from 0
  target           INTEGER NOT NULL,          -- 1-based, in the plan's order
  url              TEXT NOT NULL,
  level            TEXT NOT NULL,             -- the level's label, e.g. 2.5rps, c8, s3-1.25rps
  offered_rps      DOUBLE PRECISION,          -- open loop only
  concurrency      INTEGER NOT NULL,          -- closed loop's users; 0 for an open loop
  requests         INTEGER NOT NULL,          -- measured requests, successful or not
  ok               INTEGER NOT NULL,
  error_rate       DOUBLE PRECISION,          -- failed / measured, 0..1
  achieved_rps     DOUBLE PRECISION,          -- successful requests / window
  response_p50_ms  DOUBLE PRECISION,          -- done - scheduled
  response_p95_ms  DOUBLE PRECISION,
  response_p99_ms  DOUBLE PRECISION,
  ttft_p50_ms      DOUBLE PRECISION,
  ttft_p99_ms      DOUBLE PRECISION,
  tpot_p50_ms      DOUBLE PRECISION,
  images_per_s     DOUBLE PRECISION,
  tokens_per_s     DOUBLE PRECISION,
  verdict          TEXT,                      -- VALID or INVALID (the generator drove it as asked, or not)
  slo              TEXT,                      -- pass, fail, or null without an SLO
  PRIMARY KEY (run_key, target, level)
);
