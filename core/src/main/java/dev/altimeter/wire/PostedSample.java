package dev.altimeter.wire;

import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Values;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One OldSample as posted to {@code POST /v2/meters/{name}}, read by Ceilometer's rules: WSME's
 * conversions of the fields, then the v2 controller's checks on them. What is left to the API is its
 * own policy: defaults from the caller, the source's project prefix, size limits, authorization.
 *
 * @param userId {@code null} when absent; the same for {@code projectId}, {@code source}
 * @param timestamp {@code null} when absent (the API stamps the time of the request)
 * @param metadata as posted (keys may hold dots); empty when absent
 */
public record PostedSample(String counterName, SampleType type, String unit, double volume, String userId,
    String projectId, String resourceId, String source, Instant timestamp, Map<String, Object> metadata) {

  /** The fields WSME requires of an OldSample. */
  private static final List<String> MANDATORY =
      List.of("counter_name", "counter_type", "counter_unit", "counter_volume", "resource_id");

  /**
   * A field the sample cannot have as given; the words are WSME's and Ceilometer's. When {@code
   * wholeArgument} is set, WSME's conversion failed, and its answer quotes the whole posted argument
   * ({@code samples}) instead of {@code field} and {@code value}.
   */
  public static final class InvalidField extends IllegalArgumentException {
    private final String field;
    private final transient Object value;
    private final boolean wholeArgument;

    InvalidField(String field, Object value, String reason, boolean wholeArgument) {
      super(reason);
      this.field = field;
      this.value = value;
      this.wholeArgument = wholeArgument;
    }

    public String field() {
      return field;
    }

    /** The value as quoted in the answer (a text field's text, or the value itself). */
    public Object value() {
      return value;
    }

    public boolean wholeArgument() {
      return wholeArgument;
    }
  }

  /**
   * Reads {@code element} of the body posted to meter {@code meterName}. {@code text} renders a
   * non-string value of a text field (the API quotes it as JSON, which this framework-free package
   * cannot write).
   *
   * @throws InvalidField at the first field that is wrong, in WSME's and Ceilometer's order
   */
  public static PostedSample read(Object element, String meterName, Function<Object, String> text) {
    if (!(element instanceof Map<?, ?> item)) {
      throw new InvalidField("samples", text.apply(element), "a sample must be a JSON object", false);
    }
    for (String f : MANDATORY) {
      if (item.get(f) == null) throw new InvalidField(f, "None", "Mandatory field missing.", false);
    }
    String counterName = text(item, "counter_name", text);
    if (!counterName.equals(meterName)) {
      throw new InvalidField("counter_name", counterName, "should be " + meterName, false);
    }
    if (item.get("message_id") != null) {
      throw new InvalidField("message_id", text(item, "message_id", text), "The message_id must not be set", false);
    }
    String typeName = text(item, "counter_type", text);
    SampleType type = SampleType.fromWireName(typeName);
    if (type == null) {
      throw new InvalidField("counter_type", typeName, "The counter type must be: gauge, delta, cumulative", false);
    }
    double volume = volume(item.get("counter_volume"));
    Instant timestamp = null;
    if (item.get("timestamp") != null) {
      String given = text(item, "timestamp", text);
      timestamp = Timestamps.parseLenient(given);
      // dateutil's words, which WSME passed on
      if (timestamp == null) throw conversion("Unknown string format: " + given);
    }
    Object md = item.get("resource_metadata");
    if (md != null && !(md instanceof Map<?, ?>)) throw conversion("Value not a valid dict: " + PythonText.repr(md));
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = md == null ? Map.of() : (Map<String, Object>) md;
    return new PostedSample(counterName, type, text(item, "counter_unit", text), volume, text(item, "user_id", text),
        text(item, "project_id", text), text(item, "resource_id", text), text(item, "source", text), timestamp,
        metadata);
  }

  /** Python's {@code float()} of the value, as WSME converted it, within what a store keeps. */
  private static double volume(Object v) {
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else if (v instanceof String s) {
      try {
        d = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw conversion("could not convert string to float: " + PythonText.repr(s));
      }
    } else {
      throw conversion("float() argument must be a string or a real number, not '"
          + (v instanceof Map ? "dict" : v instanceof List ? "list" : "bool") + "'");
    }
    try {
      return Values.volume(d, "counter_volume");
    } catch (IllegalArgumentException e) {
      throw new InvalidField("counter_volume", v, "must be a finite number within +-1e100", false);
    }
  }

  private static InvalidField conversion(String reason) {
    return new InvalidField("samples", null, reason, true);
  }

  private static String text(Map<?, ?> item, String field, Function<Object, String> text) {
    Object v = item.get(field);
    if (v == null) return null;
    return v instanceof String s ? s : text.apply(v);
  }
}
