package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.wire.PythonText;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code prometheus://host[:port]/metrics/job/<job>[/label/value…]} (HTTP options as http; {@code ssl}
 * selects https): POSTs the batch to a Pushgateway in the text exposition format, one line per
 * sample: {@code # TYPE <name> counter|gauge} once per name (cumulative → counter, gauge → gauge,
 * delta untyped), the name with {@code .} and {@code -} replaced by {@code _}, then
 * {@code name{resource_id="…", user_id="…", project_id="…"} <volume>} (label values escaped; None
 * as Python prints it). When the path has no grouping labels after the job
 * ({@code /metrics/job/<job>}), each resource's lines are pushed separately to
 * {@code …/resource_id/<percent-encoded id>}, in order of first appearance, so that one resource's
 * push does not replace another's.
 */
final class PrometheusPublisher implements Publisher {
  private static final java.util.regex.Pattern JOB_ONLY = java.util.regex.Pattern.compile("/metrics/job/[^/]+/?");
  private final HttpPoster poster;
  private final boolean perResource;

  PrometheusPublisher(HttpPoster poster, boolean perResource) {
    this.poster = poster;
    this.perResource = perResource;
  }

  static PrometheusPublisher create(PublisherUrl url, PublisherContext context) {
    String scheme = url.boolOption("ssl", false) ? "https" : "http";
    return new PrometheusPublisher(new HttpPoster(url, scheme, HttpPublisher.OPTIONS),
        JOB_ONLY.matcher(url.path()).matches());
  }

  static String exposition(List<Sample> samples) {
    StringBuilder b = new StringBuilder();
    Set<String> typed = new HashSet<>();
    for (Sample s : samples) {
      String name = s.meter().replace('.', '_').replace('-', '_');
      String type = s.type() == SampleType.CUMULATIVE ? "counter" : s.type() == SampleType.GAUGE ? "gauge" : null;
      if (type != null && typed.add(name)) b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
      b.append(name).append("{resource_id=\"").append(label(s.resourceId()))
          .append("\", user_id=\"").append(label(s.userId()))
          .append("\", project_id=\"").append(label(s.projectId()))
          .append("\"} ").append(PythonText.floatRepr(s.volume())).append('\n');
    }
    return b.toString();
  }

  private static final String CONTENT_TYPE = "text/plain; version=0.0.4";

  /** Python's {@code urllib.parse.quote(v, safe='')}. */
  static String quote(String v) {
    return java.net.URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
        .replace("%7E", "~");
  }

  private static String label(String v) {
    if (v == null) return "None";
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    if (samples.isEmpty()) return Mono.empty();
    if (!perResource) {
      return poster.post(exposition(samples).getBytes(StandardCharsets.UTF_8), CONTENT_TYPE);
    }
    java.util.Map<String, List<Sample>> byResource = new java.util.LinkedHashMap<>();
    for (Sample s : samples) byResource.computeIfAbsent(s.resourceId(), k -> new java.util.ArrayList<>()).add(s);
    java.net.URI base = poster.target();
    String path = base.getRawPath().endsWith("/") ? base.getRawPath() : base.getRawPath() + "/";
    return reactor.core.publisher.Flux.fromIterable(byResource.entrySet())
        .concatMap(e -> poster.post(base.resolve(path + "resource_id/" + quote(e.getKey())),
            exposition(e.getValue()).getBytes(StandardCharsets.UTF_8), CONTENT_TYPE))
        .then();
  }
}
