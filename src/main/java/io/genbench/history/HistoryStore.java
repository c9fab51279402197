package io.genbench.history;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The run history behind JDBC: an SQLite file or a PostgreSQL database whose schema Flyway brings up to date when the
 * store is opened (scripts in {@code db/migration/history}, one for both databases). Recording a run again replaces
 * it, in one transaction: never a duplicate, never half a run. Not for concurrent use by several threads.
 */
public final class HistoryStore implements AutoCloseable {
  /** Where Flyway finds the schema's migrations. */
  public static final String MIGRATIONS = "classpath:db/migration/history";
  /** Flyway's own table, prefixed like ours so a shared database stays tidy. */
  public static final String SCHEMA_TABLE = "genbench_schema_history";

  private static final String RUN_COLUMNS = "r.run_key, r.run_id, r.run_dir, r.started_at, r.finished_at, r.backend,"
      + " r.device, r.host, r.genbench_version, r.git_commit, r.plan_name, r.plan_sha256, r.cases_planned, r.cases_finished,"
      + " r.cases_success, r.kind";
  private static final String CASE_COLUMNS = "c.case_id, c.model, c.model_label, c.requested_instance, c.actual_instance,"
      + " c.lifecycle, c.spot_usd_per_hour, c.ondemand_usd_per_hour, c.price_source, c.batch_size, c.inference_steps,"
      + " c.resolution, c.precision, c.backend, c.device, c.status, c.verdict, c.e2e_p50_ms, c.e2e_p95_ms, c.e2e_p99_ms,"
      + " c.images_per_s, c.tokens_per_s, c.peak_memory_bytes, c.memory_kind, c.cost_1000_images_ondemand_usd,"
      + " c.cost_1000_images_spot_usd, c.cost_1m_tokens_ondemand_usd, c.cost_1m_tokens_spot_usd, c.trials, c.iterations";

  private static final String LEVEL_COLUMNS = "target, url, level, offered_rps, concurrency, requests, ok, error_rate,"
      + " achieved_rps, response_p50_ms, response_p95_ms, response_p99_ms, ttft_p50_ms, ttft_p99_ms, tpot_p50_ms, images_per_s,"
      + " tokens_per_s, verdict, slo";

  /** How long an SQLite statement waits for another connection's lock before it fails (SQLITE_BUSY). */
  public static final java.time.Duration BUSY_TIMEOUT = java.time.Duration.ofSeconds(3);

  private final HistoryLocation location;
  private final Connection connection;

  private HistoryStore(HistoryLocation location, Connection connection) {
    this.location = location;
    this.connection = connection;
  }

  /**
   * Opens the store, creating it (an SQLite file and its directory) or migrating its schema as needed.
   *
   * @throws HistoryError when it cannot be reached, created or migrated; the message names the store
   */
  public static HistoryStore open(HistoryLocation location) {
    DataSource source = new DriverSource(location);
    try {
      Path file = location.sqliteFile();
      if (file != null && file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
      if (location.vendor() == HistoryLocation.Vendor.SQLITE) readable(source);
      Flyway.configure(HistoryStore.class.getClassLoader())
          .dataSource(source)
          .locations(MIGRATIONS)
          .table(SCHEMA_TABLE)
          // a team database may hold other tables: start our versions there rather than refuse a non-empty schema
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .loggers("slf4j") // to stderr, never stdout (stdout carries results)
          .load()
          .migrate();
      Connection c = source.getConnection();
      c.setAutoCommit(false);
      return new HistoryStore(location, c);
    } catch (FlywayException | SQLException | IOException e) {
      throw new HistoryError("cannot open the history store " + location.describe() + ": " + rootMessage(e), e);
    }
  }

  /**
   * Fails within {@link #BUSY_TIMEOUT} when another program holds the SQLite file locked: Flyway would retry its schema
   * check for many times that long, and a finished run must not wait on a history store.
   */
  private static void readable(DataSource source) throws SQLException {
    try (Connection c = source.getConnection(); var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM sqlite_master")) {
      rs.next();
    } catch (SQLException e) {
      var locked = new SQLException("the file is locked by another program or unreadable (waited "
          + BUSY_TIMEOUT.toSeconds() + " s): " + rootMessage(e), e.getSQLState());
      locked.addSuppressed(e); // not the cause: the message above is the one to show
      throw locked;
    }
  }

  public HistoryLocation location() {
    return location;
  }

  /** Records the run, replacing what an earlier recording of it (same run key) stored. */
  public void record(RecordedRun recorded) {
    try {
      replace(recorded);
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) throw recordError(recorded, e);
      // PostgreSQL: another genbench inserted the same run between our delete and our insert; now ours replaces it
      try {
        replace(recorded);
      } catch (SQLException again) {
        throw recordError(recorded, again);
      }
    }
  }

  private static final String UNIQUE_VIOLATION = "23505";

  private HistoryError recordError(RecordedRun recorded, SQLException e) {
    return new HistoryError("cannot record run " + recorded.run().runId() + " in " + location.describe() + ": " + rootMessage(e), e);
  }

  private void replace(RecordedRun recorded) throws SQLException {
    RunRecord r = recorded.run();
    try {
      update("DELETE FROM genbench_case_results WHERE run_key = ?", r.runKey());
      update("DELETE FROM genbench_load_levels WHERE run_key = ?", r.runKey());
      update("DELETE FROM genbench_runs WHERE run_key = ?", r.runKey());
      update("INSERT INTO genbench_runs (run_key, run_id, run_dir, started_at, finished_at, recorded_at, backend, device,"
              + " host, genbench_version, git_commit, plan_name, plan_sha256, cases_planned, cases_finished, cases_success, kind)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          r.runKey(), r.runId(), r.runDir(), time(r.startedAt()), time(r.finishedAt()), time(Instant.now()), r.backend(),
          r.device(), r.host(), r.genbenchVersion(), r.gitCommit(), r.planName(), r.planSha256(), r.casesPlanned(),
          r.casesFinished(), r.casesSuccess(), r.kind());
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO genbench_load_levels (run_key, seq, " + LEVEL_COLUMNS
          + ") VALUES (?, ?" + ", ?".repeat(19) + ")")) {
        int seq = 0;
        for (LoadLevelRecord l : recorded.levels()) {
          bind(insert, r.runKey(), seq++, l.target(), l.url(), l.level(), l.offeredRps(), l.concurrency(), l.requests(), l.ok(),
              l.errorRate(), l.achievedRps(), l.responseP50Ms(), l.responseP95Ms(), l.responseP99Ms(), l.ttftP50Ms(),
              l.ttftP99Ms(), l.tpotP50Ms(), l.imagesPerS(), l.tokensPerS(), l.verdict(), l.slo());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO genbench_case_results (run_key, "
          + CASE_COLUMNS.replace("c.", "") + ") VALUES (?" + ", ?".repeat(30) + ")")) {
        for (CaseRecord c : recorded.cases()) {
          bind(insert, r.runKey(), c.caseId(), c.model(), c.modelLabel(), c.requestedInstance(), c.actualInstance(),
              c.lifecycle(), c.spotUsdPerHour(), c.ondemandUsdPerHour(), c.priceSource(), c.batchSize(),
              c.inferenceSteps(), c.resolution(), c.precision(), c.backend(), c.device(), c.status(), c.verdict(),
              c.e2eP50Ms(), c.e2eP95Ms(), c.e2eP99Ms(), c.imagesPerS(), c.tokensPerS(), c.peakMemoryBytes(),
              c.memoryKind(), c.cost1000ImagesOndemandUsd(), c.cost1000ImagesSpotUsd(), c.cost1mTokensOndemandUsd(),
              c.cost1mTokensSpotUsd(), c.trials(), c.iterations());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    }
  }

  /** The runs the filter selects, newest first. */
  public List<RunRecord> runs(HistoryFilter filter) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT " + RUN_COLUMNS + " FROM genbench_runs r WHERE 1 = 1");
    runConditions(filter, sql, params);
    if (filter.model() != null || filter.instance() != null) {
      sql.append(" AND EXISTS (SELECT 1 FROM genbench_case_results c WHERE c.run_key = r.run_key");
      caseConditions(filter, sql, params);
      sql.append(")");
    }
    sql.append(" ORDER BY r.started_at DESC, r.run_id DESC LIMIT ?");
    params.add(filter.limit());
    return query(sql.toString(), params, HistoryStore::run);
  }

  /**
   * The case's results in the runs the filter selects, oldest first: the newest {@code filter.limit()} runs that
   * recorded it.
   */
  public List<TrendPoint> trend(String caseId, HistoryFilter filter) {
    List<Object> params = new ArrayList<>(List.of(caseId));
    StringBuilder sql = new StringBuilder("SELECT " + RUN_COLUMNS + ", " + CASE_COLUMNS
        + " FROM genbench_case_results c JOIN genbench_runs r ON r.run_key = c.run_key WHERE c.case_id = ?");
    runConditions(filter, sql, params);
    caseConditions(filter, sql, params);
    sql.append(" ORDER BY r.started_at DESC, r.run_id DESC LIMIT ?");
    params.add(filter.limit());
    List<TrendPoint> newestFirst = query(sql.toString(), params, rs -> new TrendPoint(run(rs), caseRecord(rs)));
    List<TrendPoint> oldestFirst = new ArrayList<>(newestFirst);
    Collections.reverse(oldestFirst);
    return oldestFirst;
  }

  /**
   * The levels recorded for {@code url} (exactly as recorded) in the load runs the filter selects, oldest run first and
   * each run's levels in the order they ran: the newest {@code filter.limit()} runs that recorded the URL (and
   * {@code level}, when not null). The filter's model and instance do not apply: a load run has neither.
   */
  public List<LoadTrendPoint> loadTrend(String url, String level, HistoryFilter filter) {
    List<Object> params = new ArrayList<>();
    StringBuilder runs = new StringBuilder("SELECT r.run_key FROM genbench_runs r WHERE r.kind = ? AND EXISTS (SELECT 1 FROM"
        + " genbench_load_levels l WHERE l.run_key = r.run_key AND l.url = ?");
    params.add(RunRecord.LOAD);
    params.add(url);
    if (level != null) {
      runs.append(" AND l.level = ?");
      params.add(level);
    }
    runs.append(")");
    runConditions(filter, runs, params);
    runs.append(" ORDER BY r.started_at DESC, r.run_id DESC LIMIT ?");
    params.add(filter.limit());
    StringBuilder sql = new StringBuilder("SELECT " + RUN_COLUMNS + ", " + LEVEL_COLUMNS.replaceAll("(^|, )", "$1l.")
        + " FROM genbench_load_levels l JOIN genbench_runs r ON r.run_key = l.run_key WHERE l.url = ?");
    List<Object> all = new ArrayList<>(List.of(url));
    if (level != null) {
      sql.append(" AND l.level = ?");
      all.add(level);
    }
    sql.append(" AND r.run_key IN (").append(runs).append(") ORDER BY r.started_at, r.run_id, l.seq");
    all.addAll(params);
    return query(sql.toString(), all, rs -> new LoadTrendPoint(run(rs), loadLevel(rs)));
  }

  /** Target URLs of recorded load runs that contain {@code part} (ignoring case), sorted, at most {@code limit}. */
  public List<String> loadUrls(String part, int limit) {
    return query("SELECT DISTINCT url FROM genbench_load_levels WHERE LOWER(url) LIKE ? ESCAPE '\\' ORDER BY url LIMIT ?",
        List.of(contains(part), limit), rs -> rs.getString(1));
  }

  /** The level labels recorded for {@code url}, sorted, at most {@code limit}. */
  public List<String> loadLevelLabels(String url, int limit) {
    return query("SELECT DISTINCT level FROM genbench_load_levels WHERE url = ? ORDER BY level LIMIT ?", List.of(url, limit),
        rs -> rs.getString(1));
  }

  /** Recorded case ids that contain {@code part} (ignoring case), sorted, at most {@code limit}: for "did you mean". */
  public List<String> caseIds(String part, int limit) {
    return query("SELECT DISTINCT case_id FROM genbench_case_results WHERE LOWER(case_id) LIKE ? ESCAPE '\\'"
        + " ORDER BY case_id LIMIT ?", List.of(contains(part), limit), rs -> rs.getString(1));
  }

  /** The cases recorded for a run, by case id. */
  public List<CaseRecord> cases(String runKey) {
    return query("SELECT " + CASE_COLUMNS + " FROM genbench_case_results c WHERE c.run_key = ? ORDER BY c.case_id",
        List.of(runKey), HistoryStore::caseRecord);
  }

  /** The levels recorded for a load run, in the order they ran. */
  public List<LoadLevelRecord> loadLevels(String runKey) {
    return query("SELECT " + LEVEL_COLUMNS + " FROM genbench_load_levels WHERE run_key = ? ORDER BY seq", List.of(runKey),
        HistoryStore::loadLevel);
  }

  private static LoadLevelRecord loadLevel(ResultSet rs) throws SQLException {
    return new LoadLevelRecord(rs.getInt("target"), rs.getString("url"),
        rs.getString("level"), real(rs, "offered_rps"), rs.getInt("concurrency"), rs.getInt("requests"), rs.getInt("ok"),
        real(rs, "error_rate"), real(rs, "achieved_rps"), real(rs, "response_p50_ms"), real(rs, "response_p95_ms"),
        real(rs, "response_p99_ms"), real(rs, "ttft_p50_ms"), real(rs, "ttft_p99_ms"), real(rs, "tpot_p50_ms"),
        real(rs, "images_per_s"), real(rs, "tokens_per_s"), rs.getString("verdict"), rs.getString("slo"));
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // nothing is pending: every write committed or rolled back
    }
  }

  private static void runConditions(HistoryFilter f, StringBuilder sql, List<Object> params) {
    if (f.since() != null) {
      sql.append(" AND r.started_at >= ?");
      params.add(time(f.since()));
    }
    if (f.until() != null) {
      sql.append(" AND r.started_at < ?");
      params.add(time(f.until()));
    }
  }

  private static void caseConditions(HistoryFilter f, StringBuilder sql, List<Object> params) {
    if (f.model() != null) {
      sql.append(" AND (LOWER(c.model) LIKE ? ESCAPE '\\' OR LOWER(c.model_label) LIKE ? ESCAPE '\\')");
      params.add(contains(f.model()));
      params.add(contains(f.model()));
    }
    if (f.instance() != null) {
      sql.append(" AND (LOWER(c.requested_instance) LIKE ? ESCAPE '\\' OR LOWER(c.actual_instance) LIKE ? ESCAPE '\\')");
      params.add(contains(f.instance()));
      params.add(contains(f.instance()));
    }
  }

  /** A LIKE pattern matching values that contain {@code part}, its own wildcards taken literally. */
  private static String contains(String part) {
    String escaped = part.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return "%" + escaped + "%";
  }

  /** Times are stored as fixed-width UTC text, to the second, so that they compare as text in every database. */
  static String time(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  private void update(String sql, Object... values) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      bind(s, values);
      s.executeUpdate();
    }
  }

  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String sql, List<Object> params, Row<T> row) {
    try {
      try (PreparedStatement s = connection.prepareStatement(sql)) {
        bind(s, params.toArray());
        List<T> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) out.add(row.read(rs));
        }
        return out;
      } finally {
        connection.rollback(); // end the read's transaction: a reader must not hold SQLite's lock
      }
    } catch (SQLException e) {
      throw new HistoryError("cannot read the history store " + location.describe() + ": " + rootMessage(e), e);
    }
  }

  private static void bind(PreparedStatement s, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      int at = i + 1;
      switch (v) {
        case null -> s.setNull(at, Types.NULL);
        case String t -> s.setString(at, t);
        case Integer n -> s.setInt(at, n);
        case Long n -> s.setLong(at, n);
        case Double d -> s.setDouble(at, d);
        // as text: SQLite's NUMERIC affinity turns it into a number, PostgreSQL's NUMERIC keeps it exact
        case BigDecimal d -> s.setBigDecimal(at, d);
        default -> throw new IllegalArgumentException("cannot bind " + v.getClass());
      }
    }
  }

  private static RunRecord run(ResultSet rs) throws SQLException {
    return new RunRecord(rs.getString("run_key"), rs.getString("run_id"), rs.getString("run_dir"),
        instant(rs.getString("started_at")), instant(rs.getString("finished_at")), rs.getString("backend"),
        rs.getString("device"), rs.getString("host"), rs.getString("genbench_version"), rs.getString("git_commit"),
        rs.getString("plan_name"), rs.getString("plan_sha256"), rs.getInt("cases_planned"), rs.getInt("cases_finished"),
        rs.getInt("cases_success"), rs.getString("kind"));
  }

  private static CaseRecord caseRecord(ResultSet rs) throws SQLException {
    return new CaseRecord(rs.getString("case_id"), rs.getString("model"), rs.getString("model_label"),
        rs.getString("requested_instance"), rs.getString("actual_instance"), rs.getString("lifecycle"),
        money(rs, "spot_usd_per_hour"), money(rs, "ondemand_usd_per_hour"), rs.getString("price_source"),
        rs.getInt("batch_size"), rs.getInt("inference_steps"), rs.getString("resolution"), rs.getString("precision"),
        rs.getString("backend"), rs.getString("device"), rs.getString("status"), rs.getString("verdict"),
        real(rs, "e2e_p50_ms"), real(rs, "e2e_p95_ms"), real(rs, "e2e_p99_ms"), real(rs, "images_per_s"),
        real(rs, "tokens_per_s"), whole(rs, "peak_memory_bytes"), rs.getString("memory_kind"),
        money(rs, "cost_1000_images_ondemand_usd"), money(rs, "cost_1000_images_spot_usd"),
        money(rs, "cost_1m_tokens_ondemand_usd"), money(rs, "cost_1m_tokens_spot_usd"), rs.getInt("trials"),
        rs.getInt("iterations"));
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  private static Double real(ResultSet rs, String column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }

  private static Long whole(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** Read as text: exact from PostgreSQL; from SQLite the shortest decimal of the stored number, not its binary expansion. */
  private static BigDecimal money(ResultSet rs, String column) throws SQLException {
    String v = rs.getString(column);
    return v == null ? null : new BigDecimal(v);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    String message = e.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) message = t.getMessage();
    }
    return message == null ? e.toString() : message.strip();
  }

  /** Connections from the JDBC driver of the URL, with the timeouts and options genbench wants. */
  private record DriverSource(HistoryLocation location) implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      Properties p = new Properties();
      switch (location.vendor()) {
        case SQLITE -> {
          p.setProperty("foreign_keys", "true");
          // another genbench recording at the same moment commits in milliseconds: wait for it, but a file held
          // locked for longer (an open sqlite3 shell) costs a finished run seconds, never minutes
          p.setProperty("busy_timeout", Long.toString(BUSY_TIMEOUT.toMillis()));
        }
        case POSTGRESQL -> {
          if (location.user() != null) p.setProperty("user", location.user());
          if (location.password() != null) p.setProperty("password", location.password());
          // an unreachable server costs seconds, not minutes (the URL's own values win)
          p.setProperty("connectTimeout", "5");
          p.setProperty("loginTimeout", "10");
          p.setProperty("socketTimeout", "60");
          p.setProperty("ApplicationName", "genbench");
        }
      }
      return DriverManager.getConnection(location.url(), p);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("the user comes from the history URL or GENBENCH_HISTORY_USER");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }
}
