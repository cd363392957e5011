package dev.altimeter.storage;

import dev.altimeter.storage.InsertionLog.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link SampleStore} in memory, for tests and single-process trials: it passes {@code
 * SampleStoreTestKit} as the PostgreSQL store does, with the same ordering, filter and statistics
 * rules (Ceilometer's period windows, groups in first-stored order, population standard deviation),
 * all computed from the raw samples on each read.
 *
 * <p>Bounded: it holds at most {@code maxSamples}. A write that would exceed the bound is accepted
 * and the oldest stored samples (in insertion order, not by timestamp) are dropped to make room;
 * {@link #dropped()} counts them. A dropped sample is forgotten entirely, so a redelivery of it is
 * stored again.
 *
 * <p>Thread-safe: every call holds one lock only to append or to copy the current contents
 * (never waiting on I/O); reads then work on the copy. Reads cost
 * time proportional to the number of samples held, so keep the bound to what a test needs.
 */
public final class InMemorySampleStore implements SampleStore {
  private final InsertionLog<Sample> log;

  /** The deduplication key, as the PostgreSQL store's unique index. */
  private record Key(UUID messageId, Instant timestamp) {}

  /** @throws IllegalArgumentException when {@code maxSamples} is not positive */
  public InMemorySampleStore(int maxSamples) {
    log = new InsertionLog<>(maxSamples, "maxSamples", s -> new Key(s.messageId(), s.timestamp()));
  }

  /** How many samples are held now. */
  public int size() {
    return log.size();
  }

  /** How many samples were dropped, oldest stored first, to keep within the bound since construction. */
  public long dropped() {
    return log.dropped();
  }

  /** Forgets every sample (the dropped count stays). */
  public void clear() {
    log.clear();
  }

  @Override
  public Mono<Integer> write(List<Sample> batch) {
    return Mono.fromCallable(() -> {
      Instant now = Instant.now();
      return log.append(batch, s -> s.withRecordedAt(now));
    });
  }

  private List<Entry<Sample>> snapshot() {
    return log.snapshot();
  }

  private Flux<Entry<Sample>> matching(SampleFilter filter) {
    return Flux.defer(() -> {
      Predicate<Entry<Sample>> p = matcher(filter, true);
      return Flux.fromIterable(snapshot()).filter(p);
    });
  }

  private static final Comparator<Entry<Sample>> NEWEST_FIRST =
      Comparator.comparing((Entry<Sample> s) -> s.value().timestamp()).reversed().thenComparingLong(Entry::seq);
  private static final Comparator<Entry<Sample>> NEWEST_LAST =
      Comparator.comparing((Entry<Sample> s) -> s.value().timestamp()).thenComparingLong(Entry::seq);

  @Override
  public Flux<Sample> samples(SampleFilter filter, int limit) {
    return matching(filter).sort(NEWEST_FIRST).take(limit, true).map(Entry::value);
  }

  @Override
  public Mono<Sample> sample(UUID messageId) {
    return Flux.defer(() -> Flux.fromIterable(snapshot()))
        .filter(s -> s.value().messageId().equals(messageId)).next().map(Entry::value);
  }

  @Override
  public Flux<Meter> meters(SampleFilter filter, boolean unique, int limit) {
    SampleFilter untimed = filter.toBuilder().start(null, true).end(null, true).build();
    return matching(untimed).collectList().flatMapMany(list -> {
      // groups keyed in first-stored order, each keeping its newest sample
      Map<Object, Entry<Sample>> newest = new LinkedHashMap<>();
      for (Entry<Sample> s : list) {
        Sample x = s.value();
        // a definition (name, type, unit), as Ceilometer's meter_id: a name with two units is two meters
        Object key = unique ? List.of(x.meter(), x.type(), x.unit())
            : List.of(x.meter(), x.type(), x.unit(), x.resourceId());
        newest.merge(key, s, (a, b) -> NEWEST_LAST.compare(a, b) >= 0 ? a : b);
      }
      return Flux.fromIterable(newest.values()).take(limit, true).map(s -> {
        Sample x = s.value();
        return unique ? new Meter(x.meter(), x.type(), x.unit(), null, null, null, null)
            : new Meter(x.meter(), x.type(), x.unit(), x.resourceId(), x.projectId(), x.userId(), x.source());
      });
    });
  }

  @Override
  public Flux<Resource> resources(SampleFilter filter, int limit) {
    return Flux.defer(() -> {
      List<Entry<Sample>> all = snapshot();
      Predicate<Entry<Sample>> p = matcher(filter, true);
      Map<String, List<Entry<Sample>>> byResource = new LinkedHashMap<>();
      for (Entry<Sample> s : all) if (p.test(s)) byResource.computeIfAbsent(s.value().resourceId(), k -> new ArrayList<>()).add(s);
      List<Resource> out = new ArrayList<>();
      for (Map.Entry<String, List<Entry<Sample>>> e : byResource.entrySet()) {
        if (out.size() >= limit) break;
        List<Entry<Sample>> group = e.getValue();
        Entry<Sample> newest = group.stream().max(NEWEST_LAST).orElseThrow();
        Instant first = group.stream().map(s -> s.value().timestamp()).min(Comparator.naturalOrder()).orElseThrow();
        // meter links: every meter of the resource, whatever the filter but its project
        Set<String> meters = new LinkedHashSet<>();
        for (Entry<Sample> s : all) {
          Sample x = s.value();
          if (x.resourceId().equals(e.getKey()) && equalsOrNull(filter.projectId(), x.projectId())) meters.add(x.meter());
        }
        Sample n = newest.value();
        out.add(new Resource(e.getKey(), n.projectId(), n.userId(), n.source(), first, n.timestamp(),
            n.resourceMetadata(), List.copyOf(meters)));
      }
      return Flux.fromIterable(out);
    });
  }

  @Override
  public Flux<Sample> range(SampleRange range, int limit) {
    if (range.matchesNothing()) return Flux.empty();
    return Flux.defer(() -> Flux.fromIterable(snapshot())).filter(s -> {
      Sample x = s.value();
      return in(range.meters(), x.meter()) && in(range.resourceIds(), x.resourceId())
          && in(range.projectIds(), x.projectId()) && in(range.userIds(), x.userId())
          && in(range.sources(), x.source()) && !x.timestamp().isBefore(range.start())
          && !x.timestamp().isAfter(range.end());
    }).sort(NEWEST_LAST).take(limit, true).map(Entry::value);
  }

  private static boolean in(Set<String> values, String value) {
    return values == null || (value != null && values.contains(value));
  }

  @Override
  public Flux<Sample> query(SampleQuery query) {
    return Flux.defer(() -> {
      if (query.filter() != null) judgeRegularExpressions(query.filter());
      Predicate<Entry<Sample>> p = query.filter() == null ? s -> true : s -> Boolean.TRUE.equals(eval(query.filter(), s.value()));
      Comparator<Entry<Sample>> order = (a, b) -> 0;
      for (SampleQuery.OrderBy o : query.orderBy()) {
        Comparator<Entry<Sample>> key = (a, b) -> compareNullsLast(field(o.field(), a.value()), field(o.field(), b.value()));
        // PostgreSQL sorts NULL as the largest value: last ascending, first descending
        order = order.thenComparing(o.ascending() ? key : key.reversed());
      }
      Comparator<Entry<Sample>> full = order.thenComparing(NEWEST_FIRST);
      return Flux.fromIterable(snapshot()).filter(p).sort(full).take(query.limit(), true).map(Entry::value);
    });
  }

  // ---------------------------------------------------------------- statistics

  @Override
  public Flux<Statistics> statistics(Statistics.Query q) {
    if (q.groupBy().contains(Statistics.GroupBy.SOURCE)) {
      return Flux.error(new UnsupportedOperationException("Unable to group by these fields"));
    }
    return matching(q.filter()).collectList().flatMapMany(list -> Flux.fromIterable(InMemoryStatistics.compute(q, list.stream().map(Entry::value).toList())));
  }

  // ---------------------------------------------------------------- filters

  /** The filter as a predicate, with the PostgreSQL store's rules ({@code NULL}, strict bounds, jsonb equality). */
  private static Predicate<Entry<Sample>> matcher(SampleFilter f, boolean withTime) {
    UUID id;
    if (f.messageId() != null) {
      try {
        id = UUID.fromString(f.messageId());
      } catch (IllegalArgumentException e) {
        return s -> false; // a malformed id matches nothing
      }
    } else {
      id = null;
    }
    return stored -> {
      Sample s = stored.value();
      if (!equalsOrNull(f.meter(), s.meter()) || !equalsOrNull(f.userId(), s.userId())
          || !equalsOrNull(f.projectId(), s.projectId()) || !equalsOrNull(f.resourceId(), s.resourceId())
          || !equalsOrNull(f.source(), s.source())) {
        return false;
      }
      if (id != null && !id.equals(s.messageId())) return false;
      if (withTime && f.start() != null) {
        int c = s.timestamp().compareTo(f.start());
        if (c < 0 || (c == 0 && !f.startInclusive())) return false;
      }
      if (withTime && f.end() != null) {
        int c = s.timestamp().compareTo(f.end());
        if (c > 0 || (c == 0 && !f.endInclusive())) return false;
      }
      for (SampleFilter.MetadataCondition c : f.metadata()) {
        if (!JsonValues.equal(JsonValues.at(s.resourceMetadata(), c.path()), c.value())) return false;
      }
      return true;
    };
  }

  /** A filter value against a column: null does not constrain, {@link SampleFilter#NULL} asks for absence. */
  private static boolean equalsOrNull(String wanted, String actual) {
    if (wanted == null) return true;
    if (SampleFilter.NULL.equals(wanted)) return actual == null;
    return wanted.equals(actual);
  }

  // ---------------------------------------------------------------- complex query

  /** SQL's three-valued logic: {@code null} is unknown, and only {@code TRUE} selects a sample. */
  private static Boolean eval(SampleQuery.Expression e, Sample s) {
    if (e instanceof SampleQuery.Compare c) return compare(field(c.field(), s), c.op(), c.value());
    if (e instanceof SampleQuery.CompareMetadata c) return compareMetadata(s, c);
    if (e instanceof SampleQuery.Not not) {
      Boolean b = eval(not.expression(), s);
      return b == null ? null : !b;
    }
    if (e instanceof SampleQuery.In in) {
      Object v = field(in.field(), s);
      if (v == null) return null;
      boolean unknown = false;
      for (Object o : in.values()) {
        if (o == null) unknown = true;
        else if (compareValues(v, o) == 0) return true;
      }
      return unknown ? null : false;
    }
    // And: false wins, then unknown; Or: true wins, then unknown
    boolean and = e instanceof SampleQuery.And;
    List<SampleQuery.Expression> parts = and ? ((SampleQuery.And) e).all() : ((SampleQuery.Or) e).any();
    Boolean result = and;
    for (SampleQuery.Expression x : parts) {
      Boolean b = eval(x, s);
      if (b != null && b != and) return b;
      if (b == null) result = null;
    }
    return result;
  }

  /**
   * Refuses an invalid regular expression before any sample is read, as PostgreSQL does (its
   * planner compiles the pattern): the answer must not depend on whether a sample reaches it.
   */
  private static void judgeRegularExpressions(SampleQuery.Expression e) {
    if (e instanceof SampleQuery.Compare c && c.op() == SampleQuery.Op.REGEX && c.value() != null) regex(c.value().toString());
    if (e instanceof SampleQuery.CompareMetadata c && c.op() == SampleQuery.Op.REGEX) regex(String.valueOf(c.value()));
    if (e instanceof SampleQuery.Not not) judgeRegularExpressions(not.expression());
    if (e instanceof SampleQuery.And and) and.all().forEach(InMemorySampleStore::judgeRegularExpressions);
    if (e instanceof SampleQuery.Or or) or.any().forEach(InMemorySampleStore::judgeRegularExpressions);
  }

  private static Boolean compare(Object actual, SampleQuery.Op op, Object wanted) {
    if (wanted == null) {
      return switch (op) {
        case EQ -> actual == null;
        case NE -> actual != null;
        default -> null;
      };
    }
    if (actual == null) return null;
    if (op == SampleQuery.Op.REGEX) return regex(wanted.toString()).matcher(String.valueOf(actual)).find();
    return holds(op, compareValues(actual, wanted));
  }

  private static Boolean compareMetadata(Sample s, SampleQuery.CompareMetadata c) {
    Object v = JsonValues.at(s.resourceMetadata(), c.path());
    if (v == JsonValues.MISSING || v == null) return null;
    if (c.op() == SampleQuery.Op.REGEX) return regex(String.valueOf(c.value())).matcher(JsonValues.text(v)).find();
    if (c.op() == SampleQuery.Op.EQ) return JsonValues.equal(v, c.value());
    if (c.op() == SampleQuery.Op.NE) return !JsonValues.equal(v, c.value());
    Integer order = JsonValues.compareSameType(v, c.value());
    return order == null ? false : holds(c.op(), order);
  }

  private static boolean holds(SampleQuery.Op op, int order) {
    return switch (op) {
      case EQ -> order == 0;
      case NE -> order != 0;
      case LT -> order < 0;
      case LE -> order <= 0;
      case GT -> order > 0;
      case GE -> order >= 0;
      case REGEX -> throw new IllegalStateException("regex is not an ordering");
    };
  }

  private static Pattern regex(String expression) {
    try {
      return Pattern.compile(expression);
    } catch (PatternSyntaxException e) {
      throw new StoreException.InvalidData("invalid regular expression: " + e.getDescription());
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue(), y.doubleValue());
    if (a instanceof Comparable x && a.getClass() == b.getClass()) return x.compareTo(b);
    return String.valueOf(a).compareTo(String.valueOf(b));
  }

  private static int compareNullsLast(Object a, Object b) {
    if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
    return compareValues(a, b);
  }

  private static Object field(SampleQuery.Field f, Sample s) {
    return switch (f) {
      case SOURCE -> s.source();
      case METER -> s.meter();
      case TYPE -> s.type().wireName();
      case UNIT -> s.unit();
      case VOLUME -> s.volume();
      case USER_ID -> s.userId();
      case PROJECT_ID -> s.projectId();
      case RESOURCE_ID -> s.resourceId();
      case TIMESTAMP -> s.timestamp();
      case RECORDED_AT -> s.recordedAt();
      case MESSAGE_ID -> s.messageId().toString();
      case MESSAGE_SIGNATURE -> s.messageSignature();
    };
  }
}
