package dev.altimeter.storage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code GET /v2/meters/{name}/statistics}: the aggregates of the matching samples of one
 * unit, one group and (with a period) one window.
 *
 * <p>Standard statistics carry {@code min, max, avg, sum, count} and an empty {@code aggregates};
 * selectable ones carry only the requested functions in {@code aggregates} (keyed {@code func} or
 * {@code func/param}) and the matching standard fields, the others {@code null}.
 *
 * @param groupBy the group's values by {@link GroupBy#field()}, or {@code null} without groupby
 * @param durationStart the oldest sample's timestamp in the row
 * @param durationEnd the newest sample's timestamp in the row
 * @param period the window length in seconds, 0 without a period
 * @param periodStart the window start; without a period, {@code durationStart}. Not before {@link
 *     Values#EARLIEST}: a window that starts earlier (a {@code search_offset} reaching before year 1)
 *     starts there
 * @param periodEnd the window end (exclusive); without a period, {@code durationEnd}. Not after {@link
 *     Values#LATEST}: a window that ends later (a long period near year 9999) ends there, so the
 *     answer stays readable by clients whose dates stop at year 9999 (Python's {@code datetime})
 */
public record Statistics(Map<String, String> groupBy, String unit, Double min, Double max, Double avg,
    Double sum, Long count, Map<String, Double> aggregates, Instant durationStart, Instant durationEnd,
    long period, Instant periodStart, Instant periodEnd) {

  public Statistics {
    if (periodStart != null && periodStart.isBefore(Values.EARLIEST)) periodStart = Values.EARLIEST;
    if (periodEnd != null && periodEnd.isAfter(Values.LATEST)) periodEnd = Values.LATEST;
  }

  /**
   * What to compute.
   *
   * @param filter which samples; the meter is normally set
   * @param groupBy fields to group by, without duplicates, in request order
   * @param period window length in seconds; 0 for one row per group. Windows are Ceilometer's:
   *     from the filter's start (or the oldest matching sample) to its end (or the newest), {@code
   *     ceil(range / period)} half-open windows {@code [start + k*period, start + (k+1)*period)};
   *     only windows with samples give a row
   * @param aggregates selectable aggregates; empty for the standard ones
   */
  public record Query(SampleFilter filter, List<GroupBy> groupBy, long period, List<Aggregate> aggregates) {
    public Query {
      groupBy = List.copyOf(groupBy);
      aggregates = List.copyOf(aggregates);
      if (period < 0) throw new IllegalArgumentException("period < 0");
    }
  }

  /** A groupby field. A store that cannot group by one throws {@link UnsupportedOperationException}. */
  public enum GroupBy {
    USER_ID("user_id"),
    RESOURCE_ID("resource_id"),
    PROJECT_ID("project_id"),
    SOURCE("source"),
    INSTANCE_TYPE("resource_metadata.instance_type");

    private final String field;

    GroupBy(String field) {
      this.field = field;
    }

    /** The API's name, also the key in {@link Statistics#groupBy()}. */
    public String field() {
      return field;
    }

    /** The groupby of that API name, or null. */
    public static GroupBy ofField(String field) {
      for (GroupBy g : values()) if (g.field.equals(field)) return g;
      return null;
    }
  }

  /** A selectable aggregate function. */
  public enum Function {
    MAX, MIN, SUM, AVG, COUNT,
    /** Population standard deviation. */
    STDDEV,
    /** Distinct values of the parameter: {@code resource_id}, {@code user_id} or {@code project_id}. */
    CARDINALITY;

    public String apiName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A selectable aggregate. {@code param} is required by {@link Function#CARDINALITY} (one of
   * {@link #CARDINALITY_PARAMS}) and ignored by the others.
   */
  public record Aggregate(Function function, String param) {
    public static final List<String> CARDINALITY_PARAMS = List.of("resource_id", "user_id", "project_id");

    public Aggregate {
      if (function == Function.CARDINALITY && (param == null || !CARDINALITY_PARAMS.contains(param))) {
        throw new IllegalArgumentException("Bad aggregate: cardinality." + param);
      }
      if (function != Function.CARDINALITY) param = null;
    }

    /** The key in {@link Statistics#aggregates()}: {@code max}, {@code cardinality/resource_id}. */
    public String key() {
      return param == null ? function.apiName() : function.apiName() + "/" + param;
    }
  }
}
