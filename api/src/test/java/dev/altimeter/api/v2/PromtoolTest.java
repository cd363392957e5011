package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Prometheus's own client, {@code promtool query instant|range} (Debian's Prometheus 2.42), pointed at
 * the API: it POSTs the form, falls back to GET, and decodes the envelope with client_golang. Skipped,
 * visibly, where {@code /usr/bin/promtool} is not installed.
 */
class PromtoolTest extends ApiTestSupport {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private String promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString(), "query"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void promtoolQueriesAltimeter() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed at " + PROMTOOL + ": test skipped");
    seed();
    String server = "http://127.0.0.1:" + port;
    long t = S0.getEpochSecond();
    String instant = promtool("instant", "--time=" + (t + 240), server, "sum by (project_id) (ceilometer_cpu)");
    assertThat(instant).contains("{project_id=\"p1\"} => 8 @[" + (t + 240) + "]")
        .contains("{project_id=\"p2\"} => 8 @[" + (t + 240) + "]");
    String range = promtool("range", "--start=" + t, "--end=" + (t + 180), "--step=1m", server,
        "ceilometer_cpu{resource_id=\"r1\"}");
    assertThat(range).contains("resource_id=\"r1\"").contains("1 @[" + t + "]").contains("3 @[" + (t + 60) + "]")
        .contains("4 @[" + (t + 180) + "]");
    String json = promtool("instant", "-o", "json", "--time=" + (t + 60), server, "ceilometer_memory");
    assertThat(json).contains("\"__name__\":\"ceilometer_memory\"").contains("\"512\"");
  }
}
