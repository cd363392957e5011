package dev.altimeter.collector.pipeline.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.wire.MessageSigner;
import dev.altimeter.wire.MsgPack;
import dev.altimeter.wire.WireFormat;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

class PublishersTest {
  static final Duration WAIT = Duration.ofSeconds(30); // bound against hangs, not a timing assertion
  final PublisherRegistry registry = PublisherRegistry.standard();
  final MessageSigner signer = MessageSigner.of("s3cret");
  final PublisherContext context = new PublisherContext(signer, Schedulers.boundedElastic());
  final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) c.close();
  }

  Publisher publisher(String url) {
    Publisher p = registry.create(PublisherUrl.parse(url), context);
    toClose.add(p);
    return p;
  }

  static Sample sample(String meter, double volume, int n) {
    return Sample.builder().meter(meter).type(SampleType.GAUGE).unit("%").volume(volume).userId("u1")
        .projectId("p1").resourceId("vm" + n).source("openstack").timestamp(Instant.parse("2026-01-01T00:00:00Z"))
        .resourceMetadata(Map.of("flavor", "m1.small"))
        .messageId(UUID.fromString("00000000-0000-0000-0000-00000000000" + n)).build();
  }

  @Test
  void fileWritesJsonLines(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("out/samples.json");
    publisher("file://" + file + "?json").publishSamples(List.of(sample("cpu_util", 12.5, 1), sample("cpu_util", 3, 2)))
        .block(WAIT);
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).containsExactly(
        "{\"name\":\"cpu_util\",\"type\":\"gauge\",\"unit\":\"%\",\"volume\":12.5,\"user_id\":\"u1\","
            + "\"project_id\":\"p1\",\"resource_id\":\"vm1\",\"timestamp\":\"2026-01-01T00:00:00+00:00\","
            + "\"resource_metadata\":{\"flavor\":\"m1.small\"},\"source\":\"openstack\","
            + "\"id\":\"00000000-0000-0000-0000-000000000001\",\"monotonic_time\":null}",
        "{\"name\":\"cpu_util\",\"type\":\"gauge\",\"unit\":\"%\",\"volume\":3.0,\"user_id\":\"u1\","
            + "\"project_id\":\"p1\",\"resource_id\":\"vm2\",\"timestamp\":\"2026-01-01T00:00:00+00:00\","
            + "\"resource_metadata\":{\"flavor\":\"m1.small\"},\"source\":\"openstack\","
            + "\"id\":\"00000000-0000-0000-0000-000000000002\",\"monotonic_time\":null}");
  }

  @Test
  void fileWithoutJsonWritesPythonRepr(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("samples.log");
    publisher("file://" + file).publishSamples(List.of(sample("cpu_util", 12.5, 1))).block(WAIT);
    assertThat(Files.readString(file)).isEqualTo("{'name': 'cpu_util', 'type': 'gauge', 'unit': '%', 'volume': 12.5, "
        + "'user_id': 'u1', 'project_id': 'p1', 'resource_id': 'vm1', 'timestamp': '2026-01-01T00:00:00+00:00', "
        + "'resource_metadata': {'flavor': 'm1.small'}, 'source': 'openstack', "
        + "'id': '00000000-0000-0000-0000-000000000001', 'monotonic_time': None}\n");
  }

  @Test
  void fileRotatesBySizeKeepingBackupCount(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("samples.json");
    Publisher p = publisher("file://" + file + "?json&max_bytes=700&backup_count=2");
    for (int i = 0; i < 12; i++) p.publishSamples(List.of(sample("m" + i, i, 1))).block(WAIT);
    assertThat(file).exists();
    assertThat(dir.resolve("samples.json.1")).exists();
    assertThat(dir.resolve("samples.json.2")).exists();
    assertThat(dir.resolve("samples.json.3")).doesNotExist();
    for (Path f : List.of(file, dir.resolve("samples.json.1"), dir.resolve("samples.json.2"))) {
      assertThat(Files.size(f)).isLessThan(700);
    }
    List<String> current = Files.readAllLines(file);
    assertThat(current.get(current.size() - 1)).contains("\"name\":\"m11\"");
    List<String> previous = Files.readAllLines(dir.resolve("samples.json.1"));
    assertThat(previous.get(previous.size() - 1)).contains("\"name\":\"m" + (11 - current.size()) + "\"");
  }

  HttpServer server(List<String> bodies, List<String> paths, int... statuses) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger calls = new AtomicInteger();
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + exchange.getRequestHeaders().getFirst("Content-Type") + " "
          + exchange.getRequestHeaders().getFirst("Authorization"));
      int i = calls.getAndIncrement();
      int status = i < statuses.length ? statuses[i] : 200;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    toClose.add(() -> server.stop(0));
    return server;
  }

  @Test
  void httpPostsOneJsonArrayPerBatch() throws IOException {
    List<String> bodies = new CopyOnWriteArrayList<>();
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer server = server(bodies, requests);
    int port = server.getAddress().getPort();
    publisher("http://alice:pw@127.0.0.1:" + port + "/v1/samples?timeout=5&max_retries=0&batch=true&tenant=x")
        .publishSamples(List.of(sample("cpu_util", 12.5, 1), sample("cpu_util", 3, 2))).block(WAIT);
    assertThat(bodies).singleElement().satisfies(b -> {
      assertThat(b).startsWith("[{\"name\":\"cpu_util\"").endsWith("\"monotonic_time\":null}]");
      assertThat(b).contains("\"resource_id\":\"vm1\"", "\"resource_id\":\"vm2\"");
    });
    assertThat(requests).containsExactly("POST /v1/samples?tenant=x application/json Basic YWxpY2U6cHc=");
  }

  @Test
  void httpWithoutBatchPostsEachSample() throws IOException {
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer server = server(bodies, new CopyOnWriteArrayList<>());
    publisher("http://127.0.0.1:" + server.getAddress().getPort() + "/?batch=false")
        .publishSamples(List.of(sample("a", 1, 1), sample("b", 2, 2))).block(WAIT);
    assertThat(bodies).hasSize(2);
    assertThat(bodies.get(0)).startsWith("{\"name\":\"a\"");
    assertThat(bodies.get(1)).startsWith("{\"name\":\"b\"");
  }

  @Test
  void httpRetries5xxButNot4xx() throws IOException {
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer server = server(bodies, new CopyOnWriteArrayList<>(), 503, 200);
    publisher("http://127.0.0.1:" + server.getAddress().getPort() + "/?max_retries=2")
        .publishSamples(List.of(sample("a", 1, 1))).block(WAIT);
    assertThat(bodies).hasSize(2);

    List<String> bodies404 = new CopyOnWriteArrayList<>();
    HttpServer notFound = server(bodies404, new CopyOnWriteArrayList<>(), 404);
    Publisher p = publisher("http://127.0.0.1:" + notFound.getAddress().getPort() + "/?max_retries=2");
    assertThatThrownBy(() -> p.publishSamples(List.of(sample("a", 1, 1))).block(WAIT)).hasMessageContaining("HTTP 404");
    assertThat(bodies404).hasSize(1);
  }

  @Test
  void prometheusPushesTextFormat() throws IOException {
    List<String> bodies = new CopyOnWriteArrayList<>();
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer server = server(bodies, requests);
    Sample counter = Sample.builder().meter("disk.read-bytes").type(SampleType.CUMULATIVE).unit("B").volume(1000)
        .userId(null).projectId("p1").resourceId("vm1").timestamp(Instant.EPOCH).build();
    Sample delta = Sample.builder().meter("net.delta").type(SampleType.DELTA).unit("B").volume(5)
        .userId("u").projectId("p").resourceId("vm\"2").timestamp(Instant.EPOCH).build();
    publisher("prometheus://127.0.0.1:" + server.getAddress().getPort() + "/metrics/job/altimeter/region/one")
        .publishSamples(List.of(sample("cpu_util", 12.5, 1), sample("cpu_util", 3, 2), counter, delta)).block(WAIT);
    assertThat(bodies).containsExactly("""
        # TYPE cpu_util gauge
        cpu_util{resource_id="vm1", user_id="u1", project_id="p1"} 12.5
        cpu_util{resource_id="vm2", user_id="u1", project_id="p1"} 3.0
        # TYPE disk_read_bytes counter
        disk_read_bytes{resource_id="vm1", user_id="None", project_id="p1"} 1000.0
        net_delta{resource_id="vm\\"2", user_id="u", project_id="p"} 5.0
        """);
    assertThat(requests).containsExactly("POST /metrics/job/altimeter/region/one text/plain; version=0.0.4 null");
  }

  @Test
  void prometheusWithoutGroupingLabelsPushesPerResource() throws IOException {
    List<String> bodies = new CopyOnWriteArrayList<>();
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer server = server(bodies, requests);
    Sample other = Sample.builder().meter("cpu_util").type(SampleType.GAUGE).unit("%").volume(7)
        .userId("u1").projectId("p1").resourceId("vm 1/a").timestamp(Instant.EPOCH).build();
    publisher("prometheus://127.0.0.1:" + server.getAddress().getPort() + "/metrics/job/altimeter")
        .publishSamples(List.of(sample("cpu_util", 12.5, 1), other, sample("memory", 3, 1))).block(WAIT);
    assertThat(requests).extracting(r -> r.split(" ")[1]).containsExactly(
        "/metrics/job/altimeter/resource_id/vm1", "/metrics/job/altimeter/resource_id/vm%201%2Fa");
    assertThat(bodies.get(0)).isEqualTo("""
        # TYPE cpu_util gauge
        cpu_util{resource_id="vm1", user_id="u1", project_id="p1"} 12.5
        # TYPE memory gauge
        memory{resource_id="vm1", user_id="u1", project_id="p1"} 3.0
        """);
  }

  @Test
  void udpSendsOneSignedMsgpackDatagramPerSample() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      socket.setSoTimeout((int) WAIT.toMillis());
      publisher("udp://127.0.0.1:" + socket.getLocalPort())
          .publishSamples(List.of(sample("cpu_util", 12.5, 1), sample("cpu_util", 3, 2))).block(WAIT);
      List<Map<String, Object>> got = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        socket.receive(packet);
        byte[] data = Arrays.copyOf(packet.getData(), packet.getLength());
        assertThat(data).isEqualTo(MsgPack.encode(WireFormat.meterMessage(sample("cpu_util", i == 0 ? 12.5 : 3, i + 1), signer)));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) MsgPack.decode(data);
        got.add(m);
      }
      assertThat(got.get(0)).containsEntry("counter_name", "cpu_util").containsEntry("counter_volume", 12.5)
          .containsEntry("resource_id", "vm1").containsEntry("counter_type", "gauge")
          .containsEntry("timestamp", "2026-01-01T00:00:00+00:00").containsEntry("monotonic_time", null);
      assertThat(got.get(0).keySet()).containsExactly("source", "counter_name", "counter_type", "counter_unit",
          "counter_volume", "user_id", "project_id", "resource_id", "timestamp", "resource_metadata", "message_id",
          "monotonic_time", "message_signature");
      assertThat(signer.verify(got.get(0))).isTrue();
      assertThat(signer.verify(got.get(1))).isTrue();
      assertThat(MessageSigner.of("wrong").verify(got.get(1))).isFalse();
    }
  }

  @Test
  void tcpSendsLengthPrefixedMsgpack() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() -> {
        try (Socket s = server.accept(); DataInputStream in = new DataInputStream(s.getInputStream())) {
          List<byte[]> messages = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            byte[] prefix = in.readNBytes(8);
            long len = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
            messages.add(in.readNBytes((int) len));
          }
          return messages;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Publisher p = publisher("tcp://127.0.0.1:" + server.getLocalPort());
      p.publishSamples(List.of(sample("a", 1, 1), sample("b", 2, 2))).block(WAIT);
      p.publishSamples(List.of(sample("c", 3, 3))).block(WAIT);
      List<byte[]> messages = received.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(messages).extracting(m -> (Object) ((Map<?, ?>) MsgPack.decode(m)).get("counter_name"))
          .containsExactly("a", "b", "c");
      assertThat(messages.get(2)).isEqualTo(MsgPack.encode(WireFormat.meterMessage(sample("c", 3, 3), signer)));
    }
  }

  @Test
  void registryRejectsUnknownSchemesAndBadOptions() {
    assertThatThrownBy(() -> registry.create(PublisherUrl.parse("gnocchi://"), context))
        .hasMessage("no publisher for scheme 'gnocchi' (gnocchi://)");
    assertThatThrownBy(() -> registry.create(PublisherUrl.parse("http://h/?timeout=soon"), context))
        .hasMessage("option 'timeout' of http://h/?timeout=soon must be a number, got 'soon'");
    assertThatThrownBy(() -> registry.create(PublisherUrl.parse("file://"), context))
        .hasMessage("file publisher needs a path: file://");
    Publisher custom = new Publisher() {
      @Override
      public reactor.core.publisher.Mono<Void> publishSamples(List<Sample> samples) {
        return reactor.core.publisher.Mono.empty();
      }
    };
    assertThat(registry.with("database", (u, c) -> custom).create(PublisherUrl.parse("database"), context))
        .isSameAs(custom);
  }

  @Test
  void publisherUrls() {
    PublisherUrl u = PublisherUrl.parse("udp://[::1]:4952");
    assertThat(u.host()).isEqualTo("::1");
    assertThat(u.port()).isEqualTo(4952);
    assertThat(PublisherUrl.parse("notifier").url()).isEqualTo("notifier://");
    assertThat(PublisherUrl.parse("notifier://?topic=metering&per_meter_topic=1").option("topic", null))
        .isEqualTo("metering");
    assertThatThrownBy(() -> PublisherUrl.parse("udp://h:99999")).hasMessage("invalid port '99999' in 'udp://h:99999'");
  }
}
