package dev.altimeter.storage.postgres;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitDescription;
import dev.altimeter.storage.TraitType;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link EventStore} on PostgreSQL over R2DBC.
 *
 * <p>A batch costs two statements whatever its size: event types are resolved through a cache and
 * upserted in bulk on a miss; the events then go in as one {@code INSERT ... SELECT FROM
 * jsonb_to_recordset($1)} statement that skips stored message ids, which PostgreSQL runs as one
 * transaction. An event is one row: its traits are a jsonb array in the row (see
 * V5__event_traits_inline.sql). Every value is bound. Thread-safe.
 */
public final class PostgresEventStore implements EventStore {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final int CACHE_LIMIT = 10_000;

  private final ConnectionFactory connections;
  private final JsonMapper json = JsonMapper.builder().build();
  private final DictionaryIds<String, Integer> typeIds = new DictionaryIds<>(CACHE_LIMIT);

  public PostgresEventStore(ConnectionFactory connections) {
    this.connections = connections;
  }

  /** Forgets cached event type ids; call after the tables were changed behind the store's back. */
  public void forgetCachedIds() {
    typeIds.forget();
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
        .retryWhen(PostgresErrors.RETRY)
        .onErrorMap(PostgresErrors::translate);
  }

  /** Duplicates inside one batch: the first wins, as if they had come in separate batches. */
  private static List<Event> firstOfEachMessage(List<Event> events) {
    Map<String, Event> byId = new LinkedHashMap<>();
    for (Event e : events) byId.putIfAbsent(e.messageId(), e);
    return new ArrayList<>(byId.values());
  }

  private Mono<Void> resolveTypes(Connection conn, List<Event> batch) {
    Set<String> missing = new TreeSet<>(); // sorted: concurrent batches lock in the same order
    for (Event e : batch) if (!typeIds.contains(e.eventType())) missing.add(e.eventType());
    if (missing.isEmpty()) return Mono.empty();
    Statement st = conn.createStatement("""
        INSERT INTO event_type (name) SELECT * FROM unnest($1::text[])
        ON CONFLICT (name) DO UPDATE SET name = excluded.name
        RETURNING id, name""")
        .bind(0, missing.toArray(String[]::new));
    // kept once the statement completed (committed): an event stored under a type id whose row was
    // never committed would be one no listing joins to
    return typeIds.remember(Flux.from(st.execute())
        .flatMap(r -> r.map(row -> Map.entry(row.get("name", String.class), row.get("id", Integer.class)))));
  }

  /** Called inside {@code Mono.defer}: a {@link CacheMiss} thrown here becomes the Mono's error. */
  private Mono<Integer> insert(Connection conn, List<Event> batch) {
    String document = batchDocument(batch);
    // The batch travels as one JSON document: PostgreSQL parses it once, and its traits and raw
    // parts go into their jsonb columns as they are (bound arrays of text would be escaped by the
    // driver and parsed again element by element).
    Statement st = conn.createStatement("""
        WITH ins AS (
          INSERT INTO event (message_id, event_type_id, generated, raw, traits)
          SELECT b.m, b.t,
                 timestamptz 'epoch' + (b.g / 1000000) * interval '1 second' + (b.g % 1000000) * interval '1 microsecond',
                 b.r, b.tr
          FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (m text, t int, g bigint, r jsonb, tr jsonb))
            WITH ORDINALITY AS b(m, t, g, r, tr, ord)
          ORDER BY b.ord
          ON CONFLICT (message_id) DO NOTHING
          RETURNING 1
        )
        SELECT count(*) AS stored FROM ins""")
        .bind(0, document);
    // one statement is one implicit transaction: all rows or none
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> row.get("stored", Long.class)))
        .next()
        .map(Long::intValue);
  }

  /**
   * {@code [{"m": message id, "t": type id, "g": generated (µs since the epoch), "r": raw (absent
   * when empty), "tr": traits}, ...]}, traits in the column's form (see V5__event_traits_inline.sql).
   */
  private String batchDocument(List<Event> batch) {
    StringWriter out = new StringWriter(batch.size() * 1024);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartArray();
      for (Event e : batch) {
        Integer typeId = typeIds.get(e.eventType());
        if (typeId == null) throw new CacheMiss(e.eventType());
        g.writeStartObject();
        g.writeStringProperty("m", e.messageId());
        g.writeNumberProperty("t", typeId);
        g.writeNumberProperty("g", EpochMicros.of(e.generated()));
        if (!e.raw().isEmpty()) g.writePOJOProperty("r", e.raw());
        g.writeName("tr");
        g.writeStartArray();
        for (Trait t : e.traits()) {
          g.writeStartArray();
          g.writeString(t.name());
          g.writeString(t.type().wireName());
          switch (t.type()) {
            case STRING -> g.writeString(requireType(t, String.class));
            case INTEGER -> g.writeNumber(requireType(t, Long.class));
            case FLOAT -> {
              double d = requireType(t, Double.class);
              if (Double.isFinite(d)) g.writeNumber(d);
              else g.writeString(Double.toString(d)); // NaN, Infinity, -Infinity: not JSON numbers
            }
            case DATETIME -> g.writeString(DATETIME.format(requireType(t, Instant.class)));
          }
          g.writeEndArray();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    return out.toString();
  }

  /** How a datetime trait is kept: sorts as text, casts to timestamptz, exact to the microsecond. */
  private static final DateTimeFormatter DATETIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static <T> T requireType(Trait t, Class<T> type) {
    if (!type.isInstance(t.value())) {
      throw new IllegalArgumentException("trait " + t.name() + " of type " + t.type().wireName()
          + " holds a " + (t.value() == null ? "null" : t.value().getClass().getSimpleName()));
    }
    return type.cast(t.value());
  }

  private static final class CacheMiss extends PostgresErrors.Conflict {
    CacheMiss(String what) {
      super("event type evicted from the cache during a write: " + what);
    }
  }


  // ---------------------------------------------------------------- read

  @Override
  public Flux<Event> events(EventFilter filter, int limit) {
    List<Object> binds = new ArrayList<>();
    List<String> where = new ArrayList<>();
    if (filter.eventType() != null) where.add("et.name = " + bind(binds, filter.eventType()));
    if (filter.messageId() != null) where.add("e.message_id = " + bind(binds, filter.messageId()));
    if (filter.start() != null) where.add("e.generated >= " + bind(binds, filter.start()));
    if (filter.end() != null) where.add("e.generated <= " + bind(binds, filter.end()));
    for (EventFilter.TraitCondition c : filter.traits()) where.add(traitCondition(c, binds));
    String sql = """
        SELECT e.message_id, et.name AS event_type, e.generated, e.raw::text AS raw, e.traits::text AS traits
        FROM event e
        JOIN event_type et ON et.id = e.event_type_id"""
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY e.generated, e.id LIMIT " + bind(binds, limit);
    return query(sql, binds, this::toEvent);
  }

  /**
   * SQL that is true when event {@code e} has a trait of the condition's name and type whose value
   * compares true. Equality first asks the GIN index ({@code @>}, which also matches the three
   * scalars in another order); the typed comparison then decides. Only fixed casts and
   * operators are written into the SQL; names and values are bound.
   */
  private String traitCondition(EventFilter.TraitCondition c, List<Object> binds) {
    String cast = switch (c.type()) {
      case STRING -> "";
      case INTEGER -> "::bigint";
      case FLOAT -> "::float8";
      case DATETIME -> "::timestamptz";
    };
    String op = switch (c.op()) {
      case LT -> "<";
      case LE -> "<=";
      case EQ -> "=";
      case NE -> "<>";
      case GE -> ">=";
      case GT -> ">";
    };
    // CASE: the cast runs only on values of this type (PostgreSQL may evaluate AND-ed terms in any order)
    String exists = "EXISTS (SELECT 1 FROM jsonb_array_elements(e.traits) t(v) WHERE t.v->>0 = " + bind(binds, c.name())
        + " AND (CASE WHEN t.v->>1 = '" + c.type().wireName() + "' THEN (t.v->>2)" + cast + " END) " + op + " "
        + bind(binds, c.value()) + ")";
    // the index holds JSON values: used for the types whose JSON form is exact (not floats, not times)
    boolean indexed = c.type() == TraitType.STRING || c.type() == TraitType.INTEGER;
    if (c.op() != EventFilter.Op.EQ || !indexed) return exists;
    List<Object> trait = List.of(c.name(), c.type().wireName(), c.value());
    return "e.traits @> " + bind(binds, json.writeValueAsString(List.of(trait))) + "::jsonb AND " + exists;
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
        SELECT name, type FROM (
          SELECT DISTINCT ON (t.v->>0, t.v->>1) t.v->>0 AS name, t.v->>1 AS type, e.id, t.position
          FROM event e
          JOIN event_type et ON et.id = e.event_type_id
          CROSS JOIN jsonb_array_elements(e.traits) WITH ORDINALITY t(v, position)
          WHERE et.name = $1
          ORDER BY t.v->>0, t.v->>1, e.id, t.position) first_stored
        ORDER BY id, position""", List.of(eventType),
        row -> new TraitDescription(row.get("name", String.class), TraitType.fromWireName(row.get("type", String.class))));
  }

  @Override
  public Flux<Trait> traits(String eventType, String traitName) {
    List<Object> binds = new ArrayList<>(List.of(eventType));
    String byName = traitName == null ? "" : " AND t.v->>0 = " + bind(binds, traitName);
    return query("""
        SELECT t.v::text AS trait
        FROM event e
        JOIN event_type et ON et.id = e.event_type_id
        CROSS JOIN jsonb_array_elements(e.traits) WITH ORDINALITY t(v, position)
        WHERE et.name = $1""" + byName + " ORDER BY e.generated, e.id, t.position", binds,
        row -> trait(json.readValue(row.get("trait", String.class), List.class)));
  }

  private static String bind(List<Object> binds, Object value) {
    binds.add(value instanceof Instant i ? i.atOffset(java.time.ZoneOffset.UTC) : value);
    return "$" + binds.size();
  }

  private <T> Flux<T> query(String sql, List<Object> binds, Function<Readable, T> mapper) {
    return PostgresStatements.query(connections, sql, binds, mapper);
  }

  private Event toEvent(Readable row) {
    List<?> stored = json.readValue(row.get("traits", String.class), List.class);
    List<Trait> traits = new ArrayList<>(stored.size());
    for (Object t : stored) traits.add(trait((List<?>) t));
    String raw = row.get("raw", String.class);
    return new Event(row.get("message_id", String.class), row.get("event_type", String.class),
        row.get("generated", java.time.OffsetDateTime.class).toInstant(), traits,
        raw == null ? Map.of() : json.readValue(raw, MAP));
  }

  /** A trait from its stored form {@code [name, type, value]}. */
  private static Trait trait(List<?> stored) {
    TraitType type = TraitType.fromWireName((String) stored.get(1));
    Object v = stored.get(2);
    Object value = switch (type) {
      case STRING -> (String) v;
      case INTEGER -> ((Number) v).longValue();
      case FLOAT -> v instanceof String s ? Double.parseDouble(s) : ((Number) v).doubleValue();
      case DATETIME -> Instant.parse((String) v);
    };
    return new Trait((String) stored.get(0), type, value);
  }
}
