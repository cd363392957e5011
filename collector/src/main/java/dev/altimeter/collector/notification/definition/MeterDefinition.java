package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.collector.python.Values;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.wire.PythonText;
import dev.altimeter.wire.Timestamps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One entry of meters.yaml's {@code metric} list (Ceilometer's {@code MeterDefinition}). */
final class MeterDefinition {
  private static final Logger LOG = LoggerFactory.getLogger(MeterDefinition.class);
  static final List<String> SAMPLE_ATTRIBUTES =
      List.of("name", "type", "volume", "unit", "timestamp", "user_id", "project_id", "resource_id");
  static final List<String> REQUIRED = List.of("name", "type", "event_type", "unit", "volume", "resource_id");
  static final String SOURCE = "openstack";
  /** Ceilometer's {@code [DEFAULT] reserved_metadata_namespace} and {@code user_metadata_max_length}. */
  static final String USER_METADATA_PREFIX = "metering.";
  static final int USER_METADATA_MAX_LENGTH = 256;

  // Ceilometer writes these as "ctxt.user_id|ctxt.user"; parenthesised so the union is of whole
  // paths (in jsonpath-rw '|' binds tighter than '.'), which is what the defaults are documented to do
  private static final Attribute FALLBACK_USER = Attribute.of("(ctxt.user_id)|(ctxt.user)");
  private static final Attribute FALLBACK_PROJECT = Attribute.of("(ctxt.project_id)|(ctxt.tenant_id)");

  final String name;
  private final String type;
  private final String unit;
  private final List<Pattern> eventTypes;
  private final Map<String, Attribute> attributes = new LinkedHashMap<>();
  private final Map<String, Attribute> metadata = new LinkedHashMap<>();
  private final Attribute userMetadata;
  private final List<String> lookup;
  /**
   * What {@code metadata} and {@code user_metadata} say, as written (names in order, merges
   * applied): definitions with equal specs make equal metadata of a notification, so it is
   * evaluated once per notification for all of them (meters.yaml's instance meters share one).
   */
  final List<Object> metadataSpec;

  MeterDefinition(ConfigNode cfg) {
    Map<String, ConfigNode> e = cfg.entries();
    List<String> missing = new ArrayList<>();
    for (String f : REQUIRED) {
      if (!e.containsKey(f) || !Values.truthy(e.get(f).isScalar() ? e.get(f).scalar() : "x")
          || e.get(f).isNull()) {
        missing.add(f);
      }
    }
    if (!missing.isEmpty()) throw cfg.error("required fields " + missing + " not specified");
    this.name = PythonText.str(e.get("name").scalar());

    List<String> lookup = new ArrayList<>();
    if (e.containsKey("lookup") && !e.get("lookup").isNull()) {
      ConfigNode l = e.get("lookup");
      if (l.isSequence()) for (ConfigNode i : l.items()) lookup.add(i.text());
      else lookup.add(l.text());
    }
    this.lookup = List.copyOf(lookup);

    this.type = PythonText.str(e.get("type").scalar());
    if (!lookup.contains("type") && SampleType.fromWireName(type) == null) {
      throw e.get("type").error("invalid type " + type + " specified (gauge, delta or cumulative)");
    }
    this.unit = PythonText.str(e.get("unit").scalar());

    ConfigNode et = e.get("event_type");
    List<ConfigNode> patterns = et.isSequence() ? et.items() : List.of(et);
    List<Pattern> compiled = new ArrayList<>();
    for (ConfigNode p : patterns) {
      String regex = p.text();
      try {
        compiled.add(Pattern.compile(regex));
      } catch (PatternSyntaxException ex) {
        throw p.error("invalid regular expression '" + regex + "': " + ex.getDescription());
      }
    }
    this.eventTypes = List.copyOf(compiled);

    for (String a : SAMPLE_ATTRIBUTES) {
      ConfigNode n = e.get(a);
      if (n == null || n.isNull() || (n.isScalar() && !Values.truthy(n.scalar()))) continue;
      attributes.put(a, Attribute.parse(n));
    }
    if (e.containsKey("metadata") && !e.get("metadata").isNull()) {
      e.get("metadata").entries().forEach((k, v) -> metadata.put(k, Attribute.parse(v)));
    }
    ConfigNode um = e.get("user_metadata");
    this.userMetadata = um == null || um.isNull() ? null : Attribute.parse(um);
    ConfigNode md = e.get("metadata");
    List<Object> spec = new ArrayList<>(); // name, value, name, value, ...: in order, as the map is filled
    if (md != null && !md.isNull()) md.entries().forEach((k, v) -> spec.addAll(Arrays.asList(k, v.value())));
    this.metadataSpec = Arrays.asList(spec, userMetadata == null ? null : um.value());
  }

  /** Python {@code re.match}: the pattern matches at the start of the event type. */
  boolean matches(String eventType) {
    for (Pattern p : eventTypes) if (p.matcher(eventType).lookingAt()) return true;
    return false;
  }

  /**
   * The samples this definition makes of a notification (Ceilometer's {@code to_samples}).
   *
   * @param shared the metadata of the notification already made by a definition with an equal
   *     {@link #metadataSpec}, or null to make it here
   * @return the metadata to share with the next definition of an equal spec: once a sample holds it,
   *     the sample's immutable copy, which the next sample takes without evaluating or copying it again
   */
  Map<String, Object> toSamples(Notification n, Map<String, Object> body, List<Sample> out, Map<String, Object> shared) {
    Map<String, Object> meta = shared != null ? shared : metadata(n, body);
    Object user = FALLBACK_USER.first(body);
    Object project = FALLBACK_PROJECT.first(body);

    if (lookup.isEmpty()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", name);
      s.put("type", type);
      s.put("unit", unit);
      s.put("volume", null);
      s.put("timestamp", null);
      s.put("user_id", user);
      s.put("project_id", project);
      s.put("resource_id", null);
      attributes.forEach((k, a) -> {
        Object v = a.first(body);
        if (v != null) s.put(k, v);
      });
      Sample sample = build(n, s, meta, 0);
      if (sample == null) return meta;
      out.add(sample);
      return sample.resourceMetadata();
    }

    Map<String, List<Object>> values = new LinkedHashMap<>();
    values.put("name", Arrays.asList(name));
    values.put("type", Arrays.asList(type));
    values.put("unit", Arrays.asList(unit));
    values.put("volume", Arrays.asList((Object) null));
    values.put("timestamp", Arrays.asList((Object) null));
    values.put("user_id", Arrays.asList(user));
    values.put("project_id", Arrays.asList(project));
    values.put("resource_id", Arrays.asList((Object) null));
    for (String a : SAMPLE_ATTRIBUTES) {
      Attribute attr = attributes.get(a);
      if (attr == null) continue;
      List<Object> v = attr.values(body, true);
      // as Ceilometer: looked-up attributes (and the name) are replaced even when nothing matched
      if (lookup.contains(a) || a.equals("name") || !v.isEmpty()) values.put(a, v);
    }
    int count = values.get("name").size();
    if (count == 0) return meta;
    for (Map.Entry<String, List<Object>> v : values.entrySet()) {
      int size = v.getValue().size();
      if (size == count || (size == 1 && !lookup.contains(v.getKey()))) continue;
      LOG.debug("Only {} fetched meters of {} contain \"{}\" instead of {}; no samples", size, name, v.getKey(), count);
      return meta;
    }
    for (int i = 0; i < count; i++) {
      Map<String, Object> s = new LinkedHashMap<>();
      for (Map.Entry<String, List<Object>> v : values.entrySet()) {
        List<Object> l = v.getValue();
        s.put(v.getKey(), l.size() == count ? l.get(i) : l.get(0));
      }
      Sample sample = build(n, s, meta, i);
      if (sample == null) continue;
      out.add(sample);
      meta = sample.resourceMetadata(); // immutable: the next sample takes it as it is
    }
    return meta;
  }

  private Map<String, Object> metadata(Notification n, Map<String, Object> body) {
    Map<String, Object> meta = new LinkedHashMap<>();
    metadata.forEach((k, a) -> {
      Object v = a.first(body);
      if (Values.truthy(v)) meta.put(k, v);
    });
    if (userMetadata != null && userMetadata.first(body) instanceof Map<?, ?> um && !um.isEmpty()) {
      addUserMetadata(um, meta);
    }
    if (meta.isEmpty()) {
      meta.putAll(n.payload());
      meta.put("event_type", n.eventType());
      meta.put("host", n.publisherId());
    }
    return meta;
  }

  private static void addUserMetadata(Map<?, ?> source, Map<String, Object> meta) {
    Map<String, Object> user = new LinkedHashMap<>();
    source.forEach((k, v) -> {
      String key = String.valueOf(k);
      if (!key.startsWith(USER_METADATA_PREFIX)) return;
      String name = key.substring(USER_METADATA_PREFIX.length()).replace('.', '_');
      if (meta.containsKey(name)) return;
      user.put(name, v instanceof String s && s.length() > USER_METADATA_MAX_LENGTH
          ? s.substring(0, USER_METADATA_MAX_LENGTH) : v);
    });
    if (!user.isEmpty()) meta.put("user_metadata", user);
  }

  /**
   * Turns one set of attribute values into a sample; values a sample cannot hold (no resource, a
   * volume that is not a number, an unknown type, a bad timestamp) drop the sample, as they would
   * fail in Ceilometer's storage.
   */
  private static Sample build(Notification n, Map<String, Object> s, Map<String, Object> meta, int index) {
    Object name = s.get("name");
    SampleType type = s.get("type") == null ? null : SampleType.fromWireName(PythonText.str(s.get("type")));
    Object unit = s.get("unit");
    Double volume = Values.floatOrNull(s.get("volume"));
    Object resource = s.get("resource_id");
    Instant timestamp = n.timestamp();
    if (s.get("timestamp") != null) {
      timestamp = s.get("timestamp") instanceof String t ? Timestamps.parseIsotime(t) : null;
    }
    if (name == null || type == null || unit == null || volume == null || !Double.isFinite(volume)
        || resource == null || PythonText.str(resource).isEmpty() || timestamp == null) {
      return null; // not logged: this is the per-sample path
    }
    String meter = PythonText.str(name);
    return Sample.builder()
        .meter(meter)
        .type(type)
        .unit(PythonText.str(unit))
        .volume(volume)
        .userId(s.get("user_id") == null ? null : PythonText.str(s.get("user_id")))
        .projectId(s.get("project_id") == null ? null : PythonText.str(s.get("project_id")))
        .resourceId(PythonText.str(resource))
        .timestamp(timestamp)
        .source(SOURCE)
        .resourceMetadata(meta)
        .messageId(sampleId(n.messageId(), meter, index))
        .build();
  }

  /**
   * The sample's deterministic id: a name-based (v3) UUID of the notification's message id, the
   * meter name and the position in a multi-meter definition, so a redelivered notification yields
   * the same ids and the store drops the duplicates.
   */
  static UUID sampleId(String messageId, String meter, int index) {
    // UUID.nameUUIDFromBytes((messageId + "\n" + meter + "\n" + index).getBytes(UTF_8)) without
    // MessageDigest.getInstance per sample (a provider lookup) and without building the string
    MessageDigest md5 = MD5.get();
    md5.update(messageId.getBytes(StandardCharsets.UTF_8));
    md5.update((byte) '\n');
    md5.update(meter.getBytes(StandardCharsets.UTF_8));
    md5.update((byte) '\n');
    md5.update(Integer.toString(index).getBytes(StandardCharsets.US_ASCII));
    ByteBuffer d = ByteBuffer.wrap(md5.digest());
    // version 3 (name-based, MD5) and the IETF variant, as nameUUIDFromBytes sets them
    long msb = (d.getLong(0) & ~0xF000L) | 0x3000L;
    long lsb = (d.getLong(8) & ~(0xC0L << 56)) | (0x80L << 56);
    return new UUID(msb, lsb);
  }

  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  });
}
