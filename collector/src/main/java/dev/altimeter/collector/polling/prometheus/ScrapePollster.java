package dev.altimeter.collector.polling.prometheus;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.polling.PollCycle;
import dev.altimeter.collector.polling.Pollster;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Scrapes Prometheus exporters ({@code /metrics}, text format 0.0.4 or OpenMetrics, chosen by the
 * response's content type) and maps their families to meters:
 * <ul>
 *   <li>counter → cumulative ({@code _total} or bare samples); {@code _created} samples are dropped;
 *   <li>gauge, untyped, info, stateset → gauge;
 *   <li>histogram → {@code _bucket} (label {@code le} in metadata), {@code _sum}, {@code _count}, all
 *       cumulative; gauge histograms → gauge;
 *   <li>summary → quantile samples as gauges (label {@code quantile}), {@code _sum}/{@code _count} cumulative.
 * </ul>
 * The meter name is {@code meterPrefix} + the sample name ({@code node_cpu_seconds_total}); every
 * label goes to resource metadata; the resource id is the value of {@code resourceIdLabel} when the
 * sample has it, else the target's {@code host:port}. NaN and infinite values are skipped and
 * counted in {@code altimeter.polling.prometheus.skipped}. Rules (keep/drop on a label or
 * {@code __name__}, regex anchored at both ends) apply in order before mapping.
 *
 * <p>Resources are the targets: the agent's workload partitioning splits them across agents.
 * Targets are scraped concurrently (at most 4 at once); a failing target does not stop the others,
 * the cycle then ends in the first error. HTTP goes through the given non-blocking WebClient;
 * parsing runs on {@link Schedulers#parallel()}. Thread-safe.
 */
public final class ScrapePollster implements Pollster {
  /** Sample source of scraped meters. */
  public static final String SAMPLE_SOURCE = "prometheus";
  static final String ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  /** What a rule does with a sample whose label matches. */
  public enum Action { KEEP, DROP }

  /**
   * A relabel-style filter.
   *
   * @param label a label name, or {@code __name__} for the sample name; an absent label reads as ""
   * @param regex matched against the whole value
   */
  public record Rule(Action action, String label, Pattern regex) {
    public Rule {
      Objects.requireNonNull(action);
      label = label == null ? "__name__" : label;
      Objects.requireNonNull(regex);
    }

    boolean matches(String name, Map<String, String> labels) {
      String v = label.equals("__name__") ? name : labels.getOrDefault(label, "");
      return regex.matcher(v).matches();
    }
  }

  /**
   * @param name the pollster name, selected by polling.yaml meter rules
   * @param targets exposition URLs, e.g. {@code http://10.0.0.5:9100/metrics}
   * @param meterPrefix prepended to sample names; may be empty
   * @param resourceIdLabel label giving the resource id; {@code null} for the target's host:port
   * @param headers sent with every scrape
   * @param timeout per scrape
   * @param maxBodyBytes a larger exposition fails the scrape
   */
  public record Config(String name, List<URI> targets, String meterPrefix, String resourceIdLabel, List<Rule> rules,
      Map<String, String> headers, Duration timeout, int maxBodyBytes) {
    public Config {
      Objects.requireNonNull(name, "name");
      targets = List.copyOf(targets);
      meterPrefix = meterPrefix == null ? "" : meterPrefix;
      rules = rules == null ? List.of() : List.copyOf(rules);
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
      maxBodyBytes = maxBodyBytes <= 0 ? 16 * 1024 * 1024 : maxBodyBytes;
    }
  }

  /**
   * Reads a scrape pollster declared in a pollster definitions file (an Altimeter extension next to
   * Ceilometer's dynamic pollsters), e.g.
   * <pre>{@code
   * - name: prometheus.node
   *   kind: prometheus
   *   targets: ["http://127.0.0.1:9100/metrics"]
   *   meter_prefix: "node."        # default: the name and a dot
   *   resource_id_label: instance  # default: the target's host:port
   *   headers: {Authorization: "Bearer ..."}
   *   timeout: 10                  # seconds
   *   rules:
   *     - {action: keep, label: __name__, regex: "node_.*"}
   *     - {action: drop, label: fstype, regex: "tmpfs|squashfs"}
   * }</pre>
   *
   * @param line where the definition starts in the file (1-based; 0 when unknown)
   * @throws ConfigException naming the file, the line, the pollster and the rule
   */
  public static Config fromDefinition(Map<String, Object> d, String file, int line) {
    Object n = d.get("name");
    String name = n == null ? "" : String.valueOf(n).strip();
    if (name.isEmpty()) throw new ConfigException(file, line, "prometheus pollster ?", "'name' is required");
    String where = "prometheus pollster " + name;
    Object t = d.get("targets");
    if (!(t instanceof List<?> list) || list.isEmpty()) {
      throw new ConfigException(file, line, where, "'targets' must be a non-empty list of URLs");
    }
    List<URI> targets = new ArrayList<>();
    for (Object o : list) {
      URI u;
      try {
        u = URI.create(String.valueOf(o));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(file, line, where, "bad target URL " + o);
      }
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        throw new ConfigException(file, line, where, "target must be an http(s) URL: " + o);
      }
      targets.add(u);
    }
    List<Rule> rules = new ArrayList<>();
    Object r = d.get("rules");
    if (r != null && !(r instanceof List<?>)) throw new ConfigException(file, line, where, "'rules' must be a list");
    if (r != null) {
      for (Object o : (List<?>) r) {
        if (!(o instanceof Map<?, ?> m)) throw new ConfigException(file, line, where, "each rule must be a mapping");
        Action action;
        try {
          action = Action.valueOf(String.valueOf(m.get("action")).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(file, line, where, "rule action must be keep or drop, got " + m.get("action"));
        }
        if (m.get("regex") == null) throw new ConfigException(file, line, where, "rule needs a regex");
        try {
          rules.add(new Rule(action, m.get("label") == null ? null : String.valueOf(m.get("label")),
              Pattern.compile(String.valueOf(m.get("regex")))));
        } catch (java.util.regex.PatternSyntaxException e) {
          throw new ConfigException(file, line, where, "bad regex: " + e.getDescription());
        }
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (d.get("headers") instanceof Map<?, ?> h) h.forEach((k, v) -> headers.put(String.valueOf(k), String.valueOf(v)));
    Duration timeout = null;
    if (d.get("timeout") != null) {
      try {
        timeout = Duration.ofMillis((long) (Double.parseDouble(String.valueOf(d.get("timeout"))) * 1000));
      } catch (NumberFormatException e) {
        throw new ConfigException(file, line, where, "timeout must be a number of seconds");
      }
    }
    String prefix = d.containsKey("meter_prefix") ? String.valueOf(d.get("meter_prefix")) : name + ".";
    Object label = d.get("resource_id_label");
    return new Config(name, targets, prefix, label == null ? null : String.valueOf(label), rules, headers, timeout, 0);
  }

  private final Config config;
  private final WebClient http;
  private final Counter skipped;

  /** @param http a WebClient whose codecs allow {@code config.maxBodyBytes()}; not owned */
  public ScrapePollster(Config config, WebClient http, MeterRegistry registry) {
    this.config = Objects.requireNonNull(config);
    this.http = Objects.requireNonNull(http);
    this.skipped = registry.counter("altimeter.polling.prometheus.skipped", "pollster", config.name());
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public List<String> defaultResources() {
    return config.targets().stream().map(URI::toString).toList();
  }

  @Override
  public Flux<Sample> poll(PollCycle cycle) {
    return Flux.fromIterable(cycle.resources())
        .flatMapDelayError(target -> scrape(URI.create(target), cycle), 4, 32);
  }

  private Flux<Sample> scrape(URI target, PollCycle cycle) {
    return http.get().uri(target)
        .header(HttpHeaders.ACCEPT, ACCEPT)
        .headers(h -> config.headers().forEach(h::set))
        .exchangeToMono(response -> {
          if (!response.statusCode().is2xxSuccessful()) {
            return response.releaseBody().then(Mono.error(new IllegalStateException(
                "scrape of " + target + " answered " + response.statusCode().value())));
          }
          String contentType = response.headers().contentType().map(Object::toString).orElse("");
          boolean openMetrics = contentType.contains("openmetrics");
          return response.bodyToMono(String.class).defaultIfEmpty("")
              .map(body -> new Scrape(body, openMetrics));
        })
        .timeout(config.timeout())
        .publishOn(Schedulers.parallel())
        .flatMapIterable(scrape -> toSamples(Exposition.parse(scrape.body, scrape.openMetrics), target, cycle));
  }

  private record Scrape(String body, boolean openMetrics) {}

  List<Sample> toSamples(List<Exposition.Family> families, URI target, PollCycle cycle) {
    String defaultResource = target.getPort() < 0 ? target.getHost() : target.getHost() + ":" + target.getPort();
    List<Sample> out = new ArrayList<>();
    for (Exposition.Family family : families) {
      for (Exposition.Point p : family.points()) {
        SampleType type = typeOf(family, p);
        if (type == null || !kept(p)) continue;
        if (!Double.isFinite(p.value())) {
          skipped.increment();
          continue;
        }
        String resource = config.resourceIdLabel() == null ? null : p.labels().get(config.resourceIdLabel());
        if (resource == null || resource.isEmpty()) resource = defaultResource;
        String meter = config.meterPrefix() + p.name();
        Map<String, Object> metadata = new LinkedHashMap<>(p.labels());
        metadata.put("scrape_target", target.toString());
        out.add(Sample.builder().meter(meter).type(type).unit(unitOf(family, p))
            .volume(p.value()).resourceId(resource).timestamp(cycle.timestamp()).source(SAMPLE_SOURCE)
            .resourceMetadata(metadata)
            .messageId(cycle.messageId(meter, resource, new TreeMap<>(p.labels()).toString()))
            .build());
      }
    }
    return out;
  }

  private boolean kept(Exposition.Point p) {
    for (Rule r : config.rules()) {
      boolean m = r.matches(p.name(), p.labels());
      if (r.action() == Action.KEEP && !m) return false;
      if (r.action() == Action.DROP && m) return false;
    }
    return true;
  }

  /** The sample type of a point, or {@code null} to drop it. */
  static SampleType typeOf(Exposition.Family family, Exposition.Point p) {
    String suffix = p.name().length() > family.name().length() ? p.name().substring(family.name().length()) : "";
    if (suffix.equals("_created")) return null;
    return switch (family.type()) {
      case "counter", "histogram" -> SampleType.CUMULATIVE;
      case "summary" -> suffix.isEmpty() ? SampleType.GAUGE : SampleType.CUMULATIVE;
      default -> SampleType.GAUGE;
    };
  }

  /** Counts of observations have no unit; otherwise the family's {@code # UNIT}, else a unit read from the conventional name suffix, else "". */
  static String unitOf(Exposition.Family family, Exposition.Point p) {
    String name = p.name();
    if (name.endsWith("_count") || name.endsWith("_bucket") || name.endsWith("_gcount")) return "";
    if (!family.unit().isEmpty()) return family.unit();
    String n = family.name().endsWith("_total") ? family.name().substring(0, family.name().length() - 6) : family.name();
    if (n.endsWith("_seconds")) return "s";
    if (n.endsWith("_bytes")) return "B";
    if (n.endsWith("_ratio")) return "ratio";
    if (n.endsWith("_celsius")) return "C";
    if (n.endsWith("_joules")) return "J";
    if (n.endsWith("_volts")) return "V";
    if (n.endsWith("_amperes")) return "A";
    return "";
  }
}
