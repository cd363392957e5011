package dev.altimeter.storage.postgres;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitDescription;
import dev.altimeter.storage.TraitType;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link EventStore} on PostgreSQL over R2DBC.
 *
 * <p>A batch costs two statements whatever its size: event types are resolved through a cache and
 * upserted in bulk on a miss; events and their traits then go in as one {@code INSERT ... SELECT
 * FROM unnest(...)} statement (a CTE inserts the events, skipping stored message ids, and the traits
 * of the events it inserted), which PostgreSQL runs as one transaction. Every value is bound.
 * Thread-safe.
 */
public final class PostgresEventStore implements EventStore {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final int CACHE_LIMIT = 10_000;

  private final ConnectionFactory connections;
  private final JsonMapper json = JsonMapper.builder().build();
  private final Map<String, Integer> typeIds = new ConcurrentHashMap<>();

  public PostgresEventStore(ConnectionFactory connections) {
    this.connections = connections;
  }

  /** Forgets cached event type ids; call after the tables were changed behind the store's back. */
  public void forgetCachedIds() {
    typeIds.clear();
  }

  // ---------------------------------------------------------------- write

  /**
   * Retention: deletes the events generated before {@code cutoff} (their traits go with them).
   *
   * @return how many events were deleted
   */
  public Mono<Long> expire(java.time.Instant cutoff) {
    return Mono.usingWhen(connections.create(),
        conn -> Flux.from(conn.createStatement("DELETE FROM event WHERE generated < $1")
                .bind(0, cutoff.atOffset(java.time.ZoneOffset.UTC)).execute())
            .flatMap(r -> r.getRowsUpdated()).reduce(0L, Long::sum),
        io.r2dbc.spi.Connection::close);
  }

  @Override
  public Mono<Integer> write(List<Event> events) {
    if (events.isEmpty()) return Mono.just(0);
    return Mono.fromCallable(() -> firstOfEachMessage(events))
        .flatMap(batch -> Mono.usingWhen(connections.create(),
            conn -> Mono.defer(() -> resolveTypes(conn, batch)).then(Mono.defer(() -> insert(conn, batch))),
            Connection::close))
        // a deadlock or serialization failure between concurrent batches is retried
        .retryWhen(Retry.backoff(3, Duration.ofMillis(20)).filter(PostgresEventStore::isTransient));
  }

  /** Duplicates inside one batch: the first wins, as if they had come in separate batches. */
  private static List<Event> firstOfEachMessage(List<Event> events) {
    Map<String, Event> byId = new LinkedHashMap<>();
    for (Event e : events) byId.putIfAbsent(e.messageId(), e);
    return new ArrayList<>(byId.values());
  }

  private Mono<Void> resolveTypes(Connection conn, List<Event> batch) {
    Set<String> missing = new TreeSet<>(); // sorted: concurrent batches lock in the same order
    for (Event e : batch) if (!typeIds.containsKey(e.eventType())) missing.add(e.eventType());
    if (missing.isEmpty()) return Mono.empty();
    Statement st = conn.createStatement("""
        INSERT INTO event_type (name) SELECT * FROM unnest($1::text[])
        ON CONFLICT (name) DO UPDATE SET name = excluded.name
        RETURNING id, name""")
        .bind(0, missing.toArray(String[]::new));
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> Map.entry(row.get("name", String.class), row.get("id", Integer.class))))
        .doOnNext(e -> {
          if (typeIds.size() >= CACHE_LIMIT) typeIds.clear();
          typeIds.put(e.getKey(), e.getValue());
        })
        .then();
  }

  private Mono<Integer> insert(Connection conn, List<Event> batch) {
    int n = batch.size();
    String[] ids = new String[n];
    Integer[] types = new Integer[n];
    Long[] generated = new Long[n];
    String[] raw = new String[n];
    List<String> traitEvent = new ArrayList<>();
    List<Integer> position = new ArrayList<>();
    List<String> name = new ArrayList<>();
    List<String> type = new ArrayList<>();
    List<String> strings = new ArrayList<>();
    List<Long> ints = new ArrayList<>();
    List<Double> floats = new ArrayList<>();
    List<Long> datetimes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Event e = batch.get(i);
      ids[i] = e.messageId();
      Integer typeId = typeIds.get(e.eventType());
      if (typeId == null) return Mono.error(new CacheMiss(e.eventType()));
      types[i] = typeId;
      generated[i] = micros(e.generated());
      raw[i] = e.raw().isEmpty() ? null : json.writeValueAsString(e.raw());
      List<Trait> traits = e.traits();
      for (int p = 0; p < traits.size(); p++) {
        Trait t = traits.get(p);
        traitEvent.add(e.messageId());
        position.add(p);
        name.add(t.name());
        type.add(t.type().wireName());
        strings.add(t.type() == TraitType.STRING ? (String) requireType(t, String.class) : null);
        ints.add(t.type() == TraitType.INTEGER ? requireType(t, Long.class) : null);
        floats.add(t.type() == TraitType.FLOAT ? requireType(t, Double.class) : null);
        datetimes.add(t.type() == TraitType.DATETIME ? micros(requireType(t, Instant.class)) : null);
      }
    }
    Statement st = conn.createStatement("""
        WITH input AS (
          SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[]) WITH ORDINALITY
            AS t(message_id, type_id, generated_us, raw, ord)
        ), ins AS (
          INSERT INTO event (message_id, event_type_id, generated, raw)
          SELECT message_id, type_id, timestamptz 'epoch' + generated_us * interval '1 microsecond', raw::jsonb
          FROM input ORDER BY ord
          ON CONFLICT (message_id) DO NOTHING
          RETURNING id, message_id
        ), traits AS (
          INSERT INTO trait (event_id, position, name, type, t_string, t_int, t_float, t_datetime)
          SELECT ins.id, t.position, t.name, t.type, t.s, t.i, t.f,
                 timestamptz 'epoch' + t.dt_us * interval '1 microsecond'
          FROM unnest($5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::bigint[],
                      $11::float8[], $12::bigint[]) AS t(message_id, position, name, type, s, i, f, dt_us)
          JOIN ins ON ins.message_id = t.message_id
          ORDER BY ins.id, t.position
        )
        SELECT count(*) AS stored FROM ins""")
        .bind(0, ids).bind(1, types).bind(2, generated).bind(3, raw)
        .bind(4, traitEvent.toArray(String[]::new))
        .bind(5, position.toArray(Integer[]::new))
        .bind(6, name.toArray(String[]::new))
        .bind(7, type.toArray(String[]::new))
        .bind(8, strings.toArray(String[]::new))
        .bind(9, ints.toArray(Long[]::new))
        .bind(10, floats.toArray(Double[]::new))
        .bind(11, datetimes.toArray(Long[]::new));
    // one statement is one implicit transaction: all rows or none
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> row.get("stored", Long.class)))
        .next()
        .map(Long::intValue);
  }

  private static <T> T requireType(Trait t, Class<T> type) {
    if (!type.isInstance(t.value())) {
      throw new IllegalArgumentException("trait " + t.name() + " of type " + t.type().wireName()
          + " holds a " + (t.value() == null ? "null" : t.value().getClass().getSimpleName()));
    }
    return type.cast(t.value());
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  private static Instant instant(Long micros) {
    return micros == null ? null : Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  private static final class CacheMiss extends RuntimeException {
    CacheMiss(String what) {
      super("event type evicted from the cache during a write: " + what, null, false, false);
    }
  }

  private static boolean isTransient(Throwable e) {
    if (e instanceof CacheMiss) return true;
    String state = e instanceof R2dbcException r ? r.getSqlState() : null;
    return "40P01".equals(state) || "40001".equals(state);
  }

  // ---------------------------------------------------------------- read

  private static final String MICROS = "(extract(epoch FROM %s) * 1000000)::bigint";

  @Override
  public Flux<Event> events(EventFilter filter, int limit) {
    List<Object> binds = new ArrayList<>();
    List<String> where = new ArrayList<>();
    if (filter.eventType() != null) where.add("et.name = " + bind(binds, filter.eventType()));
    if (filter.messageId() != null) where.add("e.message_id = " + bind(binds, filter.messageId()));
    if (filter.start() != null) where.add("e.generated >= " + bind(binds, filter.start()));
    if (filter.end() != null) where.add("e.generated <= " + bind(binds, filter.end()));
    for (EventFilter.TraitCondition c : filter.traits()) {
      String column = switch (c.type()) {
        case STRING -> "t_string";
        case INTEGER -> "t_int";
        case FLOAT -> "t_float";
        case DATETIME -> "t_datetime";
      };
      String op = switch (c.op()) {
        case LT -> "<";
        case LE -> "<=";
        case EQ -> "=";
        case NE -> "<>";
        case GE -> ">=";
        case GT -> ">";
      };
      // only fixed column names and operators are written into the SQL; name and value are bound
      where.add("EXISTS (SELECT 1 FROM trait c WHERE c.event_id = e.id AND c.name = " + bind(binds, c.name())
          + " AND c." + column + " " + op + " " + bind(binds, c.value()) + ")");
    }
    String sql = """
        SELECT e.message_id, et.name AS event_type, e.generated, e.raw::text AS raw,
               tr.names, tr.types, tr.strings, tr.ints, tr.floats, tr.datetimes
        FROM event e
        JOIN event_type et ON et.id = e.event_type_id
        LEFT JOIN LATERAL (
          SELECT array_agg(t.name ORDER BY t.position) AS names,
                 array_agg(t.type ORDER BY t.position) AS types,
                 array_agg(t.t_string ORDER BY t.position) AS strings,
                 array_agg(t.t_int ORDER BY t.position) AS ints,
                 array_agg(t.t_float ORDER BY t.position) AS floats,
                 array_agg(""" + MICROS.formatted("t.t_datetime") + """
         ORDER BY t.position) AS datetimes
          FROM trait t WHERE t.event_id = e.id
        ) tr ON true"""
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY e.generated, e.id LIMIT " + bind(binds, limit);
    return query(sql, binds, this::toEvent);
  }

  @Override
  public Flux<String> eventTypes() {
    return query("""
        SELECT et.name FROM event_type et
        WHERE EXISTS (SELECT 1 FROM event e WHERE e.event_type_id = et.id)
        ORDER BY et.name COLLATE "C\"""", List.of(), row -> row.get("name", String.class));
  }

  @Override
  public Flux<TraitDescription> traitDescriptions(String eventType) {
    return query("""
        SELECT DISTINCT t.name, t.type FROM trait t
        JOIN event e ON e.id = t.event_id
        JOIN event_type et ON et.id = e.event_type_id
        WHERE et.name = $1
        ORDER BY t.name, t.type""", List.of(eventType),
        row -> new TraitDescription(row.get("name", String.class), traitType(row.get("type", String.class))));
  }

  @Override
  public Flux<Trait> traits(String eventType, String traitName) {
    List<Object> binds = new ArrayList<>(List.of(eventType));
    String byName = traitName == null ? "" : " AND t.name = " + bind(binds, traitName);
    return query("""
        SELECT t.name, t.type, t.t_string, t.t_int, t.t_float, """ + MICROS.formatted("t.t_datetime") + """
         AS t_datetime
        FROM trait t
        JOIN event e ON e.id = t.event_id
        JOIN event_type et ON et.id = e.event_type_id
        WHERE et.name = $1""" + byName + " ORDER BY e.generated, e.id, t.position", binds,
        row -> {
          TraitType type = traitType(row.get("type", String.class));
          return new Trait(row.get("name", String.class), type, value(type, row.get("t_string", String.class),
              row.get("t_int", Long.class), row.get("t_float", Double.class), row.get("t_datetime", Long.class)));
        });
  }

  private static String bind(List<Object> binds, Object value) {
    binds.add(value instanceof Instant i ? i.atOffset(java.time.ZoneOffset.UTC) : value);
    return "$" + binds.size();
  }

  private <T> Flux<T> query(String sql, List<Object> binds, Function<Readable, T> mapper) {
    return Flux.usingWhen(connections.create(), conn -> {
      Statement st = conn.createStatement(sql);
      for (int i = 0; i < binds.size(); i++) st.bind(i, binds.get(i));
      return Flux.from(st.execute()).flatMap(r -> r.map(mapper::apply));
    }, Connection::close);
  }

  private Event toEvent(Readable row) {
    String[] names = row.get("names", String[].class);
    List<Trait> traits = new ArrayList<>();
    if (names != null) {
      String[] types = row.get("types", String[].class);
      String[] strings = row.get("strings", String[].class);
      Long[] ints = row.get("ints", Long[].class);
      Double[] floats = row.get("floats", Double[].class);
      Long[] datetimes = row.get("datetimes", Long[].class);
      for (int i = 0; i < names.length; i++) {
        TraitType type = traitType(types[i]);
        traits.add(new Trait(names[i], type, value(type, strings[i], ints[i], floats[i], datetimes[i])));
      }
    }
    String raw = row.get("raw", String.class);
    return new Event(row.get("message_id", String.class), row.get("event_type", String.class),
        row.get("generated", java.time.OffsetDateTime.class).toInstant(), traits,
        raw == null ? Map.of() : json.readValue(raw, MAP));
  }

  private static Object value(TraitType type, String s, Long i, Double f, Long dt) {
    return switch (type) {
      case STRING -> s;
      case INTEGER -> i;
      case FLOAT -> f;
      case DATETIME -> instant(dt);
    };
  }

  private static TraitType traitType(String wire) {
    return TraitType.valueOf(wire.toUpperCase(java.util.Locale.ROOT));
  }
}
