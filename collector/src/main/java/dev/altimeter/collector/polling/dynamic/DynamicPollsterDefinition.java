package dev.altimeter.collector.polling.dynamic;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.python.ExpressionException;
import dev.altimeter.collector.python.Values;
import dev.altimeter.storage.SampleType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One dynamic pollster definition, Ceilometer's format (spec §5.2), parsed and validated: every
 * operation is compiled when loaded, so a broken expression is a definition error, not a cycle
 * error. Unknown keys are ignored; an explicit YAML {@code null} takes the default; a required key
 * with a falsy value counts as missing.
 *
 * <p>Supported variants: single- and multi-metric, OpenStack-style ({@code endpoint_type}, the URL
 * joined to an endpoint from a static catalog given to the factory) and non-OpenStack
 * ({@code url_path} is the full URL). Not supported: {@code host_command} (a definition error),
 * {@code xml} response handler, Keystone catalog discovery, {@code module}/
 * {@code authentication_object} (ignored with a warning: send credentials in {@code headers}),
 * {@code extra_metadata_fields} (ignored), {@code url_path} as a Python expression. Immutable.
 */
public final class DynamicPollsterDefinition {
  static final Pattern NAME = Pattern.compile("^([\\w-]+)(\\.[\\w-]+)*(\\.\\{([\\w-]+)\\})?$");
  static final Pattern MULTI_VALUE = Pattern.compile("^\\s*\\[([\\w-]+)\\]\\.(.+)$");

  final String name;
  final SampleType sampleType;
  final String unit;
  final String endpointType;
  final String urlPath;
  final Attribute responseEntriesKey;
  final Attribute valueAttribute;
  final String multiListKey;
  final List<String> multiValuePath;
  final String multiNameAttribute;
  final Attribute userIdAttribute;
  final Attribute projectIdAttribute;
  final Attribute resourceIdAttribute;
  final boolean userIdDefault;
  final boolean projectIdDefault;
  final boolean resourceIdDefault;
  final Map<String, Attribute> metadataFields;
  final Map<String, String> metadataMapping;
  final boolean preserveMappedMetadata;
  final List<Object> skipSampleValues;
  final Map<String, Object> valueMapping;
  final double defaultValue;
  final Map<String, String> headers;
  final Duration timeout;
  final List<String> responseHandlers;
  final Attribute nextSampleUrlAttribute;
  final List<String> warnings = new ArrayList<>();
  private final int line;

  private DynamicPollsterDefinition(Map<String, Object> d, String file, int line) {
    this.line = line;
    Object rawName = d.get("name");
    this.name = rawName == null ? null : String.valueOf(rawName).strip();
    if (name == null || name.isEmpty()) throw error(file, "'name' is required");
    Matcher nm = NAME.matcher(name);
    if (!nm.matches()) throw error(file, "name '" + name + "' does not match " + NAME.pattern());
    this.multiNameAttribute = nm.group(4);
    if (d.get("host_command") != null) throw error(file, "host_command pollsters are not supported by Altimeter");
    this.sampleType = SampleType.fromWireName(required(d, "sample_type", file));
    if (sampleType == null) throw error(file, "sample_type must be gauge, delta or cumulative, got " + d.get("sample_type"));
    this.unit = required(d, "unit", file);
    this.urlPath = required(d, "url_path", file);
    this.endpointType = optional(d, "endpoint_type");
    String value = required(d, "value_attribute", file);
    try {
      if (multiNameAttribute != null) {
        Matcher mv = MULTI_VALUE.matcher(value);
        if (!mv.matches()) {
          throw error(file, "multi-metric value_attribute must be '[listkey].field', got '" + value + "'");
        }
        this.multiListKey = mv.group(1);
        this.multiValuePath = List.of(mv.group(2).strip().split("\\."));
        this.valueAttribute = null;
      } else {
        this.multiListKey = null;
        this.multiValuePath = null;
        this.valueAttribute = Attribute.parse(value);
      }
      String entries = optional(d, "response_entries_key");
      this.responseEntriesKey = entries == null ? null : Attribute.parse(entries);
      String u = optional(d, "user_id_attribute");
      String p = optional(d, "project_id_attribute");
      String r = optional(d, "resource_id_attribute");
      this.userIdDefault = u == null;
      this.projectIdDefault = p == null;
      this.resourceIdDefault = r == null;
      this.userIdAttribute = Attribute.parse(u == null ? "user_id" : u);
      this.projectIdAttribute = Attribute.parse(p == null ? "project_id" : p);
      this.resourceIdAttribute = Attribute.parse(r == null ? "id" : r);
      Map<String, Attribute> md = new LinkedHashMap<>();
      Object fields = d.get("metadata_fields");
      if (fields instanceof List<?> l) {
        for (Object f : l) md.put(String.valueOf(f), Attribute.parse(String.valueOf(f)));
      } else if (fields != null) {
        throw error(file, "metadata_fields must be a list");
      }
      this.metadataFields = md;
      String next = optional(d, "next_sample_url_attribute");
      this.nextSampleUrlAttribute = next == null ? null : Attribute.parse(next);
    } catch (ExpressionException.Syntax e) {
      throw error(file, e.getMessage());
    }
    this.metadataMapping = stringMap(d.get("metadata_mapping"), "metadata_mapping", file);
    this.headers = stringMap(d.get("headers"), "headers", file);
    Object preserve = d.get("preserve_mapped_metadata");
    this.preserveMappedMetadata = preserve == null || Boolean.parseBoolean(String.valueOf(preserve));
    Object skip = d.get("skip_sample_values");
    if (skip != null && !(skip instanceof List<?>)) throw error(file, "skip_sample_values must be a list");
    this.skipSampleValues = skip == null ? List.of() : normalised((List<?>) skip);
    Object vm = d.get("value_mapping");
    if (vm != null && !(vm instanceof Map<?, ?>)) throw error(file, "value_mapping must be a mapping");
    Map<String, Object> mapping = new LinkedHashMap<>();
    if (vm != null) ((Map<?, ?>) vm).forEach((k, v) -> mapping.put(String.valueOf(k), Values.normalise(v)));
    this.valueMapping = mapping;
    this.defaultValue = number(d.get("default_value"), -1, "default_value", file);
    this.timeout = Duration.ofMillis((long) (number(d.get("timeout"), 30, "timeout", file) * 1000));
    Object handlers = d.get("response_handlers");
    List<String> hs = new ArrayList<>();
    if (handlers instanceof List<?> l) l.forEach(h -> hs.add(String.valueOf(h)));
    else if (handlers != null) throw error(file, "response_handlers must be a list");
    if (hs.isEmpty()) hs.add("json");
    for (String h : hs) {
      if (h.equals("xml")) throw error(file, "the xml response handler is not supported");
      if (!h.equals("json") && !h.equals("text")) throw error(file, "unknown response handler " + h);
    }
    this.responseHandlers = List.copyOf(hs);
    if (d.get("module") != null || d.get("authentication_object") != null) {
      warnings.add("module/authentication_object are not supported and are ignored; send credentials in headers");
    }
    if (d.get("extra_metadata_fields") != null) warnings.add("extra_metadata_fields is not supported and is ignored");
  }

  /**
   * Validates one definition, the YAML mapping as loaded.
   *
   * @param file names the source of the definition in errors
   * @param line where the definition starts in the file (1-based; 0 when unknown)
   * @throws ConfigException naming the file, the line, the pollster and the rule
   */
  public static DynamicPollsterDefinition of(Map<String, Object> definition, String file, int line) {
    return new DynamicPollsterDefinition(definition, file, line);
  }

  /** The pollster and meter name (the template for multi-metric definitions). */
  public String name() { return name; }

  public SampleType sampleType() { return sampleType; }

  public String unit() { return unit; }

  /** Whether samples get their name from {@code {attr}} of list elements. */
  public boolean multiMetric() { return multiNameAttribute != null; }

  /** The endpoint type of the catalog, or {@code null} when url_path is a full URL. */
  public String endpointType() { return endpointType; }

  public String urlPath() { return urlPath; }

  /** What the definition asks for that Altimeter ignores; log these once at load. */
  public List<String> warnings() { return List.copyOf(warnings); }

  private ConfigException error(String file, String rule) {
    return new ConfigException(file, line, "dynamic pollster " + (name == null ? "?" : name), rule);
  }

  private String required(Map<String, Object> d, String key, String file) {
    Object v = d.get(key);
    if (v == null || String.valueOf(v).isEmpty() || Boolean.FALSE.equals(v)) throw error(file, "'" + key + "' is required");
    return String.valueOf(v);
  }

  private static String optional(Map<String, Object> d, String key) {
    Object v = d.get(key);
    return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v);
  }

  private Map<String, String> stringMap(Object o, String key, String file) {
    if (o == null) return Map.of();
    if (!(o instanceof Map<?, ?> m)) throw error(file, key + " must be a mapping");
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }

  private double number(Object o, double dflt, String key, String file) {
    if (o == null) return dflt;
    if (o instanceof Number n) return n.doubleValue();
    try {
      return Double.parseDouble(String.valueOf(o).strip());
    } catch (NumberFormatException e) {
      throw error(file, key + " must be a number, got " + o);
    }
  }

  private static List<Object> normalised(List<?> l) {
    List<Object> out = new ArrayList<>();
    for (Object o : l) out.add(Values.normalise(o));
    return out;
  }

  @Override
  public String toString() {
    return "DynamicPollsterDefinition[" + name + "]";
  }
}
