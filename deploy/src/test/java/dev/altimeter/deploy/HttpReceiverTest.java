package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.storage.RecordingSampleConsumer;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.StoreException;
import dev.altimeter.wire.MessageSigner;
import dev.altimeter.wire.MeterMessageDecoder;
import dev.altimeter.wire.WireFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunctions;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real {@code http://} publisher against {@code POST /v1/samples} on a real server (127.0.0.1,
 * ephemeral port): signed samples arrive equal; tampered, wrongly signed and (with a secret)
 * unsigned ones are refused with 403 and counted; bad input gets 400 in Ceilometer's error shape.
 */
class HttpReceiverTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final JsonMapper JSON = JsonMapper.builder().build();

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RecordingSampleConsumer consumer = new RecordingSampleConsumer();
  final List<AutoCloseable> toClose = new ArrayList<>();
  final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) c.close();
  }

  /** Starts the route with {@code secret} and answers its base URL. */
  String server(MessageSigner signer) {
    SampleReceiverRoute route = new SampleReceiverRoute(new MeterMessageDecoder(signer), consumer, 64 * 1024,
        new IngestMetrics(registry).receiver("http"));
    DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
        .handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(route.route()))).bindNow(WAIT);
    toClose.add(server::disposeNow);
    return "http://127.0.0.1:" + server.port();
  }

  Publisher publisher(String url, MessageSigner signer) {
    Publisher p = PublisherRegistry.standard().create(PublisherUrl.parse(url),
        new PublisherContext(signer, Schedulers.boundedElastic()));
    toClose.add(p);
    return p;
  }

  double count(IngestOutcome outcome) {
    var c = registry.find(IngestMetrics.NAME).tag("receiver", "http").tag("outcome", outcome.tag()).counter();
    return c == null ? 0 : c.count();
  }

  static Sample sample(int n, double volume) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("flavor", Map.of("name", "m1.small", "vcpus", 2L));
    meta.put("tags", List.of("a", 1L, true));
    return Sample.builder().meter("network.incoming.bytes").type(SampleType.CUMULATIVE).unit("B").volume(volume)
        .userId(n % 2 == 0 ? null : "u1").projectId("p1").resourceId("vm" + n).source("openstack")
        .timestamp(Instant.parse("2026-01-01T00:00:00.000250Z").plusSeconds(n)).resourceMetadata(meta)
        .messageId(UUID.fromString("00000000-0000-0000-0000-00000000000" + n)).build();
  }

  HttpResponse<String> post(String base, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + "/v1/samples")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void signedSamplesFromTheHttpPublisherArriveEqual() {
    MessageSigner signer = MessageSigner.of("s3cret");
    String base = server(signer);
    List<Sample> sent = List.of(sample(1, 1024), sample(2, 0.5));
    publisher(base + "/v1/samples?sign=true&max_retries=0", signer).publishSamples(sent).block(WAIT);
    publisher(base + "/v1/samples?sign=true&batch=false&max_retries=0", signer).publishSamples(List.of(sample(3, 7)))
        .block(WAIT);
    assertThat(consumer.samples()).hasSize(3);
    List<Sample> all = List.of(sent.get(0), sent.get(1), sample(3, 7));
    for (int i = 0; i < 3; i++) {
      Sample s = all.get(i);
      Sample g = consumer.samples().get(i);
      Map<String, Object> signed = WireFormat.asDict(s);
      assertThat(g.messageSignature()).isEqualTo(signer.sign(signed));
      assertThat(g.withSignature(null)).isEqualTo(s);
      assertThat(g.timestamp()).isEqualTo(s.timestamp());
      assertThat(g.resourceMetadata()).isEqualTo(s.resourceMetadata());
      assertThat(g.userId()).isEqualTo(s.userId());
    }
    assertThat(count(IngestOutcome.ACCEPTED)).isEqualTo(3);
  }

  @Test
  void tamperedWronglySignedAndUnsignedSamplesAreRefusedWith403() throws Exception {
    MessageSigner signer = MessageSigner.of("s3cret");
    String base = server(signer);
    assertThatThrownBy(() -> publisher(base + "/v1/samples?sign=true&max_retries=0", MessageSigner.of("other"))
        .publishSamples(List.of(sample(1, 1))).block(WAIT)).hasMessageContaining("403");
    assertThat(count(IngestOutcome.BAD_SIGNATURE)).isEqualTo(1);
    assertThatThrownBy(() -> publisher(base + "/v1/samples?max_retries=0", signer)
        .publishSamples(List.of(sample(2, 1))).block(WAIT)).hasMessageContaining("403");
    assertThat(count(IngestOutcome.UNSIGNED)).isEqualTo(1);

    Map<String, Object> tampered = WireFormat.asDict(sample(3, 10));
    tampered.put("message_signature", signer.sign(tampered));
    tampered.put("volume", 11.0);
    Map<String, Object> good = WireFormat.asDict(sample(4, 10));
    good.put("message_signature", signer.sign(good));
    HttpResponse<String> r = post(base, JSON.writeValueAsString(List.of(good, tampered)));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(r.body()).at("/error_message/faultcode").asString()).isEqualTo("Client");
    assertThat(JSON.readTree(r.body()).at("/error_message/faultstring").asString())
        .isEqualTo("sample 1: message_signature does not match");
    assertThat(count(IngestOutcome.BAD_SIGNATURE)).isEqualTo(2);
    assertThat(count(IngestOutcome.INVALID)).isEqualTo(1); // the good one, refused with its batch
    assertThat(consumer.samples()).isEmpty();

    // the meter message shape (what udp/tcp carry) is understood too
    HttpResponse<String> ok = post(base, JSON.writeValueAsString(WireFormat.meterMessage(sample(5, 5), signer)));
    assertThat(ok.statusCode()).isEqualTo(204);
    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactly("vm5");
  }

  @Test
  void unsignedSamplesAreAcceptedWithoutASecret() {
    String base = server(MessageSigner.disabled());
    publisher(base + "/v1/samples?max_retries=0", MessageSigner.disabled()).publishSamples(List.of(sample(1, 1)))
        .block(WAIT);
    assertThat(consumer.samples()).singleElement().satisfies(g -> assertThat(g.withSignature(null)).isEqualTo(sample(1, 1)));
    assertThat(consumer.samples().get(0).messageSignature()).isNull();
  }

  @Test
  void badInputGets400InCeilometersErrorShape() throws Exception {
    String base = server(MessageSigner.disabled());
    for (String body : List.of("not json", "42", "[{\"name\":\"cpu\"}]",
        "[{\"name\":\"cpu\",\"type\":\"rate\",\"unit\":\"%\",\"volume\":1,\"resource_id\":\"r\",\"timestamp\":\"2026-01-01T00:00:00\"}]",
        "[{\"name\":\"cpu\",\"type\":\"gauge\",\"unit\":\"%\",\"volume\":\"x\",\"resource_id\":\"r\",\"timestamp\":\"2026-01-01T00:00:00\"}]")) {
      HttpResponse<String> r = post(base, body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      var fault = JSON.readTree(r.body()).get("error_message");
      assertThat(fault.get("faultcode").asString()).isEqualTo("Client");
      assertThat(fault.get("faultstring").asString()).isNotEmpty();
      assertThat(fault.get("debuginfo").isNull()).isTrue();
    }
    assertThat(consumer.samples()).isEmpty();
    assertThat(count(IngestOutcome.INVALID)).isEqualTo(5);
    HttpResponse<String> naive = post(base,
        "{\"name\":\"cpu\",\"type\":\"gauge\",\"unit\":\"%\",\"volume\":1,\"resource_id\":\"r\",\"timestamp\":\"2026-01-01T00:00:00\",\"id\":\"m-1\"}");
    assertThat(naive.statusCode()).isEqualTo(204);
    assertThat(consumer.samples()).singleElement().satisfies(s -> {
      assertThat(s.timestamp()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
      assertThat(s.messageId()).isEqualTo(UUID.nameUUIDFromBytes("m-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    });
  }

  @Test
  void anOverloadedPipelineAnswers503AndTooLargeBodies413() throws Exception {
    String base = server(MessageSigner.disabled());
    consumer.refuse(new SampleConsumer.Overloaded("full"));
    HttpResponse<String> r = post(base, JSON.writeValueAsString(List.of(WireFormat.asDict(sample(1, 1)))));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(count(IngestOutcome.DROPPED)).isEqualTo(1);
    HttpResponse<String> big = post(base, "[" + "\"x\",".repeat(30_000) + "1]");
    assertThat(big.statusCode()).isEqualTo(413);
  }

  /**
   * What the sender cannot resend with success counts as invalid, like every other refusal: a body
   * beyond the limit (413; nothing was counted before, so it was dropped unseen) and samples the
   * store refuses as the data's fault (400; counted as failed before, which raised the "ingest
   * dropped" alert meant for samples lost to this node).
   */
  @Test
  void refusedBodiesAndDataTheStoreRefusesCountAsInvalid() throws Exception {
    String base = server(MessageSigner.disabled());
    HttpResponse<String> big = post(base, "[" + "\"x\",".repeat(30_000) + "1]");
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(count(IngestOutcome.INVALID)).isEqualTo(1);
    consumer.refuseNext(1, new StoreException.InvalidData("index row requires 20040 bytes, maximum size is 8191"));
    HttpResponse<String> r = post(base, JSON.writeValueAsString(
        List.of(WireFormat.asDict(sample(1, 1)), WireFormat.asDict(sample(2, 2)))));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(count(IngestOutcome.INVALID)).isEqualTo(3);
    assertThat(count(IngestOutcome.FAILED)).isZero();
  }
}
