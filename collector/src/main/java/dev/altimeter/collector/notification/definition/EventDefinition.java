package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.config.MeterFilter;
import dev.altimeter.collector.notification.MalformedNotificationException;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.collector.python.Values;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import dev.altimeter.wire.PythonText;
import dev.altimeter.wire.Timestamps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** One entry of event_definitions.yaml (Ceilometer's {@code EventDefinition}). */
final class EventDefinition {
  /** Ceilometer's text trait column width. */
  static final int TEXT_LIMIT = 255;

  /** Traits every event gets, before the configured ones (which may replace them). */
  private static final Map<String, TraitDefinition> DEFAULT_TRAITS = new LinkedHashMap<>();

  static {
    DEFAULT_TRAITS.put("service", new TraitDefinition("service", TraitType.STRING, Attribute.of("publisher_id")));
    DEFAULT_TRAITS.put("request_id", new TraitDefinition("request_id", TraitType.STRING, Attribute.of("ctxt.request_id")));
    DEFAULT_TRAITS.put("project_id", new TraitDefinition("project_id", TraitType.STRING,
        Attribute.of("(payload.tenant_id)|(ctxt.project_id)")));
    DEFAULT_TRAITS.put("user_id", new TraitDefinition("user_id", TraitType.STRING,
        Attribute.of("(payload.user_id)|(ctxt.user_id)")));
    DEFAULT_TRAITS.put("tenant_id", new TraitDefinition("tenant_id", TraitType.STRING,
        Attribute.of("(payload.tenant_id)|(ctxt.project_id)")));
  }

  private final List<Pattern> included = new ArrayList<>();
  private final List<Pattern> excluded = new ArrayList<>();
  private final boolean catchAll;
  private final Map<String, TraitDefinition> traits = new LinkedHashMap<>(DEFAULT_TRAITS);
  private final Set<String> rawPriorities;

  /** The implicit catch-all definition: any event type, default traits only. */
  EventDefinition(Set<String> rawPriorities) {
    this.rawPriorities = rawPriorities;
    included.add(glob("*"));
    catchAll = true;
  }

  EventDefinition(ConfigNode cfg, Set<String> rawPriorities) {
    this.rawPriorities = rawPriorities;
    if (!cfg.isMapping()) throw cfg.error("an event definition must be a mapping");
    Map<String, ConfigNode> e = cfg.entries();
    if (!e.containsKey("event_type")) throw cfg.error("required field event_type not specified");
    if (!e.containsKey("traits")) throw cfg.error("required field traits not specified");
    ConfigNode et = e.get("event_type");
    List<ConfigNode> types = et.isSequence() ? et.items() : List.of(et);
    boolean star = false;
    for (ConfigNode t : types) {
      String type = t.text();
      if (type.startsWith("!")) {
        excluded.add(glob(type.substring(1)));
      } else {
        included.add(glob(type));
        star |= type.equals("*");
      }
    }
    if (!excluded.isEmpty() && included.isEmpty()) {
      included.add(glob("*"));
      star = true;
    }
    catchAll = star && excluded.isEmpty();
    ConfigNode t = e.get("traits");
    if (!t.isNull()) {
      t.entries().forEach((name, trait) -> traits.put(name, TraitDefinition.parse(name, trait)));
    }
  }

  boolean isCatchAll() {
    return catchAll;
  }

  boolean matches(String eventType) {
    boolean in = false;
    for (Pattern p : included) in |= p.matcher(eventType).matches();
    if (!in) return false;
    for (Pattern p : excluded) if (p.matcher(eventType).matches()) return false;
    return true;
  }

  Event toEvent(Notification n, Map<String, Object> body) {
    List<Trait> out = new ArrayList<>();
    for (TraitDefinition t : traits.values()) {
      Trait trait = t.toTrait(body);
      if (trait != null) out.add(trait);
    }
    Map<String, Object> raw = rawPriorities.contains(n.priority()) ? body : Map.of();
    return new Event(n.messageId(), n.eventType(), n.timestamp(), out, raw);
  }

  /** Python's {@code fnmatch.translate}, shared with pipeline.yaml's meter filters. */
  static Pattern glob(String glob) {
    return MeterFilter.translate(glob);
  }


  /** A typed trait and the attribute it is read from (Ceilometer's {@code TraitDefinition}). */
  record TraitDefinition(String name, TraitType type, Attribute attribute) {
    static TraitDefinition parse(String name, ConfigNode cfg) {
      TraitType type = TraitType.STRING;
      if (cfg.isMapping() && cfg.entries().containsKey("type")) {
        ConfigNode t = cfg.entries().get("type");
        Object v = t.scalar();
        type = switch (v instanceof String s ? s : "") {
          case "text" -> TraitType.STRING;
          case "int" -> TraitType.INTEGER;
          case "float" -> TraitType.FLOAT;
          case "datetime" -> TraitType.DATETIME;
          default -> throw t.error("invalid trait type '" + PythonText.str(v) + "' for trait " + name
              + " (text, int, float or datetime)");
        };
      }
      return new TraitDefinition(name, type, Attribute.parse(cfg));
    }

    /** The trait, or {@code null} when there is no value ({@code ''} counts as none for non-text). */
    Trait toTrait(Map<String, Object> body) {
      Object v = attribute.first(body);
      if (v == null) return null;
      if (type != TraitType.STRING && "".equals(v)) return null;
      Object value = switch (type) {
        case INTEGER -> Values.intOrNull(v);
        case FLOAT -> Values.floatOrNull(v);
        case DATETIME -> v instanceof String s ? Timestamps.parseIsotime(s) : null;
        case STRING -> crop(PythonText.str(v));
      };
      if (value == null) {
        // Ceilometer fails the whole notification here (int('x') raises); say which trait and why
        throw new MalformedNotificationException("trait '" + name + "' of type " + type.wireName()
            + " cannot hold " + PythonText.str(v));
      }
      return new Trait(name, type, value);
    }

    private static String crop(String s) {
      if (s.codePointCount(0, s.length()) <= TEXT_LIMIT) return s;
      return s.substring(0, s.offsetByCodePoints(0, TEXT_LIMIT));
    }
  }

}
