package dev.altimeter.collector.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.pipeline.config.PipelineConfig.Kind;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.collector.pipeline.transform.TransformerCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PipelineConfigParserTest {
  final PipelineConfigParser parser = new PipelineConfigParser();

  static Path resource(String name) {
    try {
      return Path.of(PipelineConfigParserTest.class.getResource("/pipeline/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void loadsCeilometerPipeline() {
    PipelineConfig c = parser.load(resource("reference/pipeline.yaml"), Kind.SAMPLE);
    assertThat(c.pipelines()).extracting(PipelineConfig.Pipeline::name).containsExactly("meter_source:meter_sink");
    assertThat(c.sinks().get(0).publishers()).extracting(PublisherUrl::scheme).containsExactly("gnocchi");
    assertThat(c.sources().get(0).filter().matches("anything.at.all")).isTrue();
  }

  @Test
  void loadsCeilometerEventPipeline() {
    PipelineConfig c = parser.load(resource("reference/event_pipeline.yaml"), Kind.EVENT);
    assertThat(c.pipelines()).extracting(PipelineConfig.Pipeline::name).containsExactly("event:event_source:event_sink");
    assertThat(c.sinks().get(0).publishers().get(0).url()).isEqualTo("notifier://");
  }

  @Test
  void loadsRockyPipelineWithTransformers() {
    PipelineConfig c = parser.load(resource("reference/pipeline_with_transformers_rocky.yaml"), Kind.SAMPLE);
    assertThat(c.pipelines()).extracting(PipelineConfig.Pipeline::name).containsExactly(
        "meter_source:meter_sink", "cpu_source:cpu_sink", "cpu_source:cpu_delta_sink",
        "disk_source:disk_sink", "network_source:network_sink");
    PipelineConfig.Sink cpu = c.sink("cpu_sink");
    assertThat(cpu.transformers()).singleElement().satisfies(t -> {
      assertThat(t.name()).isEqualTo("rate_of_change");
      assertThat(t.line()).isEqualTo(42);
    });
    assertThat(c.sink("cpu_delta_sink").transformers().get(0).parameters()).containsEntry("growth_only", true);
    PipelineConfig.Source disk = c.sources().get(2);
    assertThat(disk.filter().matches("disk.read.bytes")).isTrue();
    assertThat(disk.filter().matches("disk.read.bytes.rate")).isFalse();
  }

  @Test
  void goodFileWithEveryFeature() {
    PipelineConfigParser withTest = new PipelineConfigParser(TransformerCatalog.standard(),
        union(PipelineConfigParser.CEILOMETER_SCHEMES, Set.of("test")));
    PipelineConfig c = withTest.load(resource("good/all_transformers.yaml"), Kind.SAMPLE);
    assertThat(c.pipelines()).extracting(PipelineConfig.Pipeline::name).containsExactly(
        "everything", "not_disk:file_sink", "not_disk:everything", "memory:memory_util_sink");
    assertThat(c.sink("everything").publishers().get(0).url()).isEqualTo("test://");
    PublisherUrl file = c.sink("file_sink").publishers().get(0);
    assertThat(file.path()).isEqualTo("/var/log/altimeter/samples.json");
    assertThat(file.intOption("max_bytes", 0)).isEqualTo(10_000_000);
    assertThat(file.boolOption("json", false)).isTrue();
    PublisherUrl https = c.sink("memory_util_sink").publishers().get(0);
    assertThat(https.host()).isEqualTo("collector.example.com");
    assertThat(https.port()).isEqualTo(8443);
    assertThat(https.redacted()).isEqualTo("https://user:***@collector.example.com:8443/v1/samples");
    assertThat(c.sink("file_sink").transformers()).extracting(PipelineConfig.TransformerSpec::name)
        .containsExactly("unit_conversion", "aggregator", "accumulator");
  }

  @Test
  void prePikeSourceKeysAreIgnored() {
    PipelineConfig c = parser.load(resource("good/newton_sources.yaml"), Kind.SAMPLE);
    assertThat(c.pipelines()).extracting(PipelineConfig.Pipeline::name).containsExactly("meter_source:meter_sink");
    assertThat(c.sink("meter_sink").transformers()).isEmpty();
  }

  @Test
  void schemeNotRegisteredIsUnknown() {
    PipelineConfigParser strict = new PipelineConfigParser(TransformerCatalog.standard(), Set.of("file"));
    assertThatThrownBy(() -> strict.load(resource("reference/pipeline.yaml"), Kind.SAMPLE))
        .isInstanceOf(ConfigException.class)
        .hasMessage("pipeline.yaml:11: sink 'meter_sink': publisher 'gnocchi://': unknown publisher scheme 'gnocchi' (known: file)");
  }

  /** Each file under bad/ starts with {@code # expect: <exact message>}. */
  @TestFactory
  Stream<DynamicTest> badFilesFailWithTheirExactMessage() throws IOException {
    Path dir = resource("bad");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(15);
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      String text = read(f);
      String first = text.lines().findFirst().orElseThrow();
      assertThat(first).startsWith("# expect: ");
      String expected = first.substring("# expect: ".length());
      Kind kind = f.getFileName().toString().startsWith("event_") ? Kind.EVENT : Kind.SAMPLE;
      assertThatThrownBy(() -> parser.parse(f.getFileName().toString(), text, kind))
          .isInstanceOf(ConfigException.class)
          .hasMessage(expected);
    }));
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }
}
