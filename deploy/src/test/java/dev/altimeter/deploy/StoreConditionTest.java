package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

/** Which processes run the store: decided from the roles and pipeline.yaml before any bean exists. */
class StoreConditionTest {
  @TempDir
  Path dir;

  static String reason(MockEnvironment env) {
    return ConditionalOnStore.StoreCondition.reason(env);
  }

  Path pipeline(String... publishers) throws IOException {
    StringBuilder text = new StringBuilder("---\nsources:\n  - name: all\n    meters:\n      - \"*\"\n    sinks:\n"
        + "      - out\nsinks:\n  - name: out\n    publishers:\n");
    for (String p : publishers) text.append("      - ").append(p).append('\n');
    return Files.writeString(dir.resolve("pipeline.yaml"), text);
  }

  @Test
  void everyRoleButPollingNeedsTheStore() {
    assertThat(reason(new MockEnvironment())).isEqualTo("role api");
    assertThat(reason(new MockEnvironment().withProperty("altimeter.roles", "polling,notification")))
        .isEqualTo("role notification");
    assertThat(reason(new MockEnvironment().withProperty("altimeter.roles", "expirer"))).isEqualTo("role expirer");
  }

  @Test
  void thePollingAgentNeedsItForTheBuiltInPipelineOrPartitioning() throws IOException {
    assertThat(reason(new MockEnvironment().withProperty("altimeter.roles", "polling")))
        .isEqualTo("built-in altimeter/pipeline.yaml:13: sink 'meter_sink' publishes to database://");
    assertThat(reason(new MockEnvironment().withProperty("altimeter.roles", "polling")
        .withProperty("altimeter.pipeline.file", pipeline("notifier://").toString())
        .withProperty("altimeter.polling.partitioning", "true")))
        .startsWith("altimeter.polling.partitioning=true");
  }

  @Test
  void aPipelineThatPublishesElsewhereNeedsNoStore() throws IOException {
    assertThat(reason(new MockEnvironment().withProperty("altimeter.roles", "polling")
        .withProperty("altimeter.pipeline.file",
            pipeline("notifier://?topic=t", "http://collector:8777/v1/samples", "prometheus-exposition://").toString())))
        .isNull();
    assertThat(reason(new MockEnvironment().withProperty("altimeter.roles", "polling")
        .withProperty("altimeter.pipeline.file", pipeline("udp://collector:4952", "database://").toString())))
        .isEqualTo("pipeline.yaml:9: sink 'out' publishes to database://");
  }
}
