package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
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
 * as Python prints it). Pushing per resource without grouping labels is not done.
 */
final class PrometheusPublisher implements Publisher {
  private final HttpPoster poster;

  PrometheusPublisher(HttpPoster poster) {
    this.poster = poster;
  }

  static PrometheusPublisher create(PublisherUrl url, PublisherContext context) {
    String scheme = url.boolOption("ssl", false) ? "https" : "http";
    return new PrometheusPublisher(new HttpPoster(url, scheme, HttpPublisher.OPTIONS));
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

  private static String label(String v) {
    if (v == null) return "None";
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    if (samples.isEmpty()) return Mono.empty();
    return poster.post(exposition(samples).getBytes(StandardCharsets.UTF_8), "text/plain; version=0.0.4");
  }
}
