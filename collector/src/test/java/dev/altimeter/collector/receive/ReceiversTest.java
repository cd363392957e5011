package dev.altimeter.collector.receive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.BlockHoundInstaller;
import dev.altimeter.collector.pipeline.publish.Publisher;
import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.pipeline.publish.PublisherRegistry;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.ingest.RecordingIngestCounters;
import dev.altimeter.storage.RecordingSampleConsumer;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.StoreException;
import dev.altimeter.wire.MessageSigner;
import dev.altimeter.wire.MeterMessageDecoder;
import dev.altimeter.wire.MsgPack;
import dev.altimeter.wire.WireFormat;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Publisher → receiver round trips on 127.0.0.1 ephemeral ports with the real {@code udp://} and
 * {@code tcp://} publishers: what arrives equals what was sent, field by field; what is tampered
 * with, signed with another secret or unsigned (when a secret is set) is rejected and counted.
 */
class ReceiversTest {
  static final String SECRET = "s3cret";
  static final Duration WAIT = Duration.ofSeconds(10);

  final RecordingIngestCounters counters = new RecordingIngestCounters();
  final RecordingSampleConsumer consumer = new RecordingSampleConsumer();
  final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void installBlockHound() {
    BlockHoundInstaller.install();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) c.close();
  }

  static Sample sample(int n, double volume) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("flavor", Map.of("name", "m1.small", "vcpus", 2L, "ram", 512.5));
    meta.put("tags", List.of("a", 1L, true));
    meta.put("host", n % 2 == 0 ? null : "compute-1");
    return Sample.builder().meter("cpu_util").type(n % 2 == 0 ? SampleType.GAUGE : SampleType.CUMULATIVE).unit("%")
        .volume(volume).userId(n % 2 == 0 ? null : "u1").projectId("p1").resourceId("vm" + n).source("openstack")
        .timestamp(Instant.parse("2026-01-01T00:00:00.250001Z").plusSeconds(n)).resourceMetadata(meta)
        .messageId(UUID.fromString("00000000-0000-0000-0000-00000000000" + n)).build();
  }

  Publisher publisher(String url, MessageSigner signer) {
    Publisher p = PublisherRegistry.standard().create(PublisherUrl.parse(url),
        new PublisherContext(signer, Schedulers.boundedElastic()));
    toClose.add(p);
    return p;
  }

  UdpReceiver udp(MessageSigner signer, int maxInFlight) {
    UdpReceiver r = new UdpReceiver("127.0.0.1", 0, new MeterMessageDecoder(signer), consumer, maxInFlight, counters.receiver("udp"));
    r.start();
    toClose.add(r::stop);
    return r;
  }

  TcpReceiver tcp(MessageSigner signer, int maxFrame) {
    TcpReceiver r = new TcpReceiver("127.0.0.1", 0, maxFrame, new MeterMessageDecoder(signer), consumer, counters.receiver("tcp"));
    r.start();
    toClose.add(r::stop);
    return r;
  }

  double count(String receiver, IngestOutcome outcome) {
    return counters.count(receiver, outcome);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  void assertArrivedEqual(List<Sample> sent, MessageSigner signer) {
    List<Sample> got = new ArrayList<>(consumer.samples());
    got.sort(Comparator.comparing(Sample::resourceId));
    assertThat(got).hasSize(sent.size());
    for (int i = 0; i < sent.size(); i++) {
      Sample s = sent.get(i);
      Sample g = got.get(i);
      assertThat(g.meter()).isEqualTo(s.meter());
      assertThat(g.type()).isEqualTo(s.type());
      assertThat(g.unit()).isEqualTo(s.unit());
      assertThat(g.volume()).isEqualTo(s.volume());
      assertThat(g.userId()).isEqualTo(s.userId());
      assertThat(g.projectId()).isEqualTo(s.projectId());
      assertThat(g.resourceId()).isEqualTo(s.resourceId());
      assertThat(g.timestamp()).isEqualTo(s.timestamp());
      assertThat(g.source()).isEqualTo(s.source());
      assertThat(g.resourceMetadata()).isEqualTo(s.resourceMetadata());
      assertThat(g.messageId()).isEqualTo(s.messageId());
      assertThat(g.recordedAt()).isNull();
      assertThat(g.messageSignature())
          .isEqualTo(signer.enabled() ? WireFormat.meterMessage(s, signer).get("message_signature") : null);
      assertThat(g.withSignature(null)).isEqualTo(s);
    }
  }

  @Test
  void udpSignedSamplesArriveEqual() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    int port = udp(signer, 100).start().getPort();
    List<Sample> sent = List.of(sample(1, 12.5), sample(2, 3), sample(3, 1e-7));
    publisher("udp://127.0.0.1:" + port, signer).publishSamples(sent).block(WAIT);
    await("3 samples", () -> consumer.samples().size() == 3);
    assertArrivedEqual(sent, signer);
    await("the accepted count", () -> count("udp", IngestOutcome.ACCEPTED) == 3);
    assertThat(count("udp", IngestOutcome.BAD_SIGNATURE) + count("udp", IngestOutcome.UNSIGNED) + count("udp", IngestOutcome.INVALID)).isZero();
  }

  @Test
  void tcpSignedSamplesArriveEqual() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    int port = tcp(signer, 65_536).start().getPort();
    List<Sample> sent = List.of(sample(1, 12.5), sample(2, 3), sample(3, 123456789.125));
    Publisher p = publisher("tcp://127.0.0.1:" + port, signer);
    p.publishSamples(sent.subList(0, 2)).block(WAIT);
    p.publishSamples(sent.subList(2, 3)).block(WAIT);
    await("3 samples", () -> consumer.samples().size() == 3);
    assertArrivedEqual(sent, signer);
    await("the accepted count", () -> count("tcp", IngestOutcome.ACCEPTED) == 3);
  }

  @Test
  void udpRejectsTamperedVolumeWrongSecretAndUnsigned() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    InetSocketAddress address = udp(signer, 100).start();
    // tampered: signed, then the volume changed
    Map<String, Object> tampered = WireFormat.meterMessage(sample(1, 12.5), signer);
    tampered.put("counter_volume", 13.5);
    try (DatagramSocket socket = new DatagramSocket()) {
      byte[] data = MsgPack.encode(tampered);
      socket.send(new DatagramPacket(data, data.length, address));
    }
    await("the tampered sample counted", () -> count("udp", IngestOutcome.BAD_SIGNATURE) == 1);
    publisher("udp://127.0.0.1:" + address.getPort(), MessageSigner.of("not the secret"))
        .publishSamples(List.of(sample(2, 1), sample(3, 2))).block(WAIT);
    await("the wrongly signed samples counted", () -> count("udp", IngestOutcome.BAD_SIGNATURE) == 3);
    publisher("udp://127.0.0.1:" + address.getPort(), MessageSigner.disabled())
        .publishSamples(List.of(sample(4, 1))).block(WAIT);
    await("the unsigned sample counted", () -> count("udp", IngestOutcome.UNSIGNED) == 1);
    // the control: a correctly signed one still gets through, and it is the only one
    publisher("udp://127.0.0.1:" + address.getPort(), signer).publishSamples(List.of(sample(5, 5))).block(WAIT);
    await("the good sample", () -> consumer.samples().size() == 1);
    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactly("vm5");
    await("the accepted count", () -> count("udp", IngestOutcome.ACCEPTED) == 1);
  }

  @Test
  void tcpRejectsTamperedVolumeWrongSecretAndUnsigned() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    InetSocketAddress address = tcp(signer, 65_536).start();
    Map<String, Object> tampered = WireFormat.meterMessage(sample(1, 12.5), signer);
    tampered.put("counter_volume", 12.50001);
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.getOutputStream().write(frame(MsgPack.encode(tampered)));
      socket.getOutputStream().flush();
      await("the tampered sample counted", () -> count("tcp", IngestOutcome.BAD_SIGNATURE) == 1);
    }
    publisher("tcp://127.0.0.1:" + address.getPort(), MessageSigner.of("not the secret"))
        .publishSamples(List.of(sample(2, 1), sample(3, 2))).block(WAIT);
    await("the wrongly signed samples counted", () -> count("tcp", IngestOutcome.BAD_SIGNATURE) == 3);
    publisher("tcp://127.0.0.1:" + address.getPort(), MessageSigner.disabled())
        .publishSamples(List.of(sample(4, 1))).block(WAIT);
    await("the unsigned sample counted", () -> count("tcp", IngestOutcome.UNSIGNED) == 1);
    publisher("tcp://127.0.0.1:" + address.getPort(), signer).publishSamples(List.of(sample(5, 5))).block(WAIT);
    await("the good sample", () -> consumer.samples().size() == 1);
    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactly("vm5");
  }

  @Test
  void unsignedSamplesAreAcceptedWithoutASecret() throws Exception {
    int udpPort = udp(MessageSigner.disabled(), 100).start().getPort();
    int tcpPort = tcp(MessageSigner.disabled(), 65_536).start().getPort();
    publisher("udp://127.0.0.1:" + udpPort, MessageSigner.disabled()).publishSamples(List.of(sample(1, 1))).block(WAIT);
    publisher("tcp://127.0.0.1:" + tcpPort, MessageSigner.disabled()).publishSamples(List.of(sample(2, 2))).block(WAIT);
    await("both samples", () -> consumer.samples().size() == 2);
    assertArrivedEqual(List.of(sample(1, 1), sample(2, 2)), MessageSigner.disabled());
    assertThat(count("udp", IngestOutcome.ACCEPTED)).isEqualTo(1);
    await("the tcp accepted count", () -> count("tcp", IngestOutcome.ACCEPTED) == 1);
  }

  @Test
  void tcpClosesAConnectionWithAnOversizedFrame() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    InetSocketAddress address = tcp(signer, 1024).start();
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(frame(MsgPack.encode(WireFormat.meterMessage(sample(1, 1), signer))));
      byte[] big = new byte[8];
      ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putLong(1025);
      out.write(big);
      out.flush();
      await("the oversized frame counted", () -> count("tcp", IngestOutcome.INVALID) == 1);
      assertThat(socket.getInputStream().read()).isEqualTo(-1); // closed by the receiver
    }
    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactly("vm1");
  }

  /**
   * A sender that writes its frames and closes (a publisher's shutdown, a one-shot script) has sent
   * them all: the receiver still hands every whole frame to the pipeline and counts it, and counts a
   * frame cut short by the close as invalid. Before, the close cancelled the connection's work: the
   * sample in the pipeline was stored but never counted, the frames behind it were dropped
   * uncounted, and the truncated frame vanished.
   */
  @Test
  void tcpFinishesAndCountsWhatASenderWroteBeforeClosing() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    InetSocketAddress address = tcp(signer, 65_536).start();
    consumer.hold();
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(frame(MsgPack.encode(WireFormat.meterMessage(sample(1, 1), signer))));
      out.write(frame(MsgPack.encode(WireFormat.meterMessage(sample(2, 2), signer))));
      byte[] cut = frame(MsgPack.encode(WireFormat.meterMessage(sample(3, 3), signer)));
      out.write(cut, 0, cut.length / 2);
      out.flush();
      await("the first sample in the pipeline", () -> consumer.held() == 1);
    }
    Thread.sleep(200); // the close reaches the receiver while the first sample is still held
    consumer.acceptAll();
    consumer.release();
    await("both whole frames counted", () -> count("tcp", IngestOutcome.ACCEPTED) == 2);
    await("the truncated frame counted", () -> count("tcp", IngestOutcome.INVALID) == 1);
    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactly("vm1", "vm2");
  }

  @Test
  void tcpWaitsForAnOverloadedPipelineInsteadOfDropping() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    int port = tcp(signer, 65_536).start().getPort();
    consumer.refuseNext(5, new SampleConsumer.Overloaded("full"));
    List<Sample> sent = List.of(sample(1, 1), sample(2, 2), sample(3, 3));
    publisher("tcp://127.0.0.1:" + port, signer).publishSamples(sent).block(WAIT);
    await("3 samples", () -> consumer.samples().size() == 3);
    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactly("vm1", "vm2", "vm3");
    assertThat(consumer.refusalsLeft()).isZero();
    assertThat(count("tcp", IngestOutcome.DROPPED)).isZero();
  }

  @Test
  void udpDropsAndCountsWhatAnOverloadedPipelineRefuses() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    int port = udp(signer, 100).start().getPort();
    consumer.refuseNext(2, new SampleConsumer.Overloaded("full"));
    Publisher p = publisher("udp://127.0.0.1:" + port, signer);
    p.publishSamples(List.of(sample(1, 1))).block(WAIT);
    p.publishSamples(List.of(sample(2, 2))).block(WAIT);
    await("2 drops", () -> count("udp", IngestOutcome.DROPPED) == 2);
    p.publishSamples(List.of(sample(3, 3))).block(WAIT);
    await("the third sample", () -> consumer.samples().size() == 1);
    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactly("vm3");
  }

  /**
   * A pipeline failure counts as what it means, on UDP and TCP as on the HTTP doors: a sample the
   * store refuses as the data's fault is invalid (not failed, which raises the "ingest dropped" alert
   * for a sender's bad data), a sample lost to an unavailable store is dropped.
   */
  @Test
  void pipelineFailuresCountAsWhatTheyMean() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    Publisher udp = publisher("udp://127.0.0.1:" + udp(signer, 100).start().getPort(), signer);
    Publisher tcp = publisher("tcp://127.0.0.1:" + tcp(signer, 65_536).start().getPort(), signer);
    for (var entry : Map.of("udp", udp, "tcp", tcp).entrySet()) {
      consumer.refuseNext(1, new StoreException.InvalidData("index row requires 20040 bytes"));
      entry.getValue().publishSamples(List.of(sample(1, 1))).block(WAIT);
      await(entry.getKey() + " invalid", () -> count(entry.getKey(), IngestOutcome.INVALID) == 1);
      consumer.refuseNext(1, new StoreException.Unavailable("connection refused", null));
      entry.getValue().publishSamples(List.of(sample(2, 2))).block(WAIT);
      await(entry.getKey() + " dropped", () -> count(entry.getKey(), IngestOutcome.DROPPED) == 1);
      assertThat(count(entry.getKey(), IngestOutcome.FAILED)).isZero();
    }
  }

  @Test
  void udpDropsBeyondMaxInFlight() throws Exception {
    MessageSigner signer = MessageSigner.of(SECRET);
    RecordingSampleConsumer stalled = new RecordingSampleConsumer();
    stalled.hold();
    UdpReceiver r = new UdpReceiver("127.0.0.1", 0, new MeterMessageDecoder(signer), stalled, 1, counters.receiver("udp"));
    int port = r.start().getPort();
    toClose.add(r::stop);
    Publisher p = publisher("udp://127.0.0.1:" + port, signer);
    p.publishSamples(List.of(sample(1, 1))).block(WAIT);
    await("one in flight", () -> r.inFlight() == 1);
    p.publishSamples(List.of(sample(2, 2))).block(WAIT);
    await("the drop", () -> count("udp", IngestOutcome.DROPPED) == 1);
    stalled.release();
    await("the first sample", () -> stalled.samples().size() == 1 && r.inFlight() == 0);
    assertThat(stalled.samples()).extracting(Sample::resourceId).containsExactly("vm1");
    assertThat(stalled.calls()).isEqualTo(1);
  }

  static byte[] frame(byte[] message) {
    ByteBuffer b = ByteBuffer.allocate(8 + message.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(message.length).put(message);
    return b.array();
  }
}
