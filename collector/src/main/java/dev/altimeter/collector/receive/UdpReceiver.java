package dev.altimeter.collector.receive;

import dev.altimeter.storage.Sample;
import dev.altimeter.ingest.IngestCounter;
import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.wire.MeterMessageDecoder;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.Connection;
import reactor.netty.udp.UdpServer;

/**
 * Receives what {@code udp://} publishers send: one datagram = the msgpack encoding of one meter
 * message dict (up to 65,507 bytes). Each verified sample is handed to the {@link SampleConsumer}
 * on the event loop (the consumer never blocks). Bounded: at most {@code maxInFlight} samples wait
 * for the pipeline; a datagram that arrives beyond that, or that the pipeline refuses as
 * {@link SampleConsumer.Overloaded}, is dropped and counted ({@code outcome=dropped}): UDP cannot
 * push back, as in Ceilometer's collector.
 *
 * <p>{@link #start()} and {@link #stop()} block (up to 10 s): call them from a thread that may block
 * (Spring's lifecycle, a test), never an event loop.
 */
public final class UdpReceiver {
  private static final Logger LOG = LoggerFactory.getLogger(UdpReceiver.class);
  private static final int MAX_DATAGRAM = 65_536;

  private final String host;
  private final int port;
  private final MeterMessageDecoder decoder;
  private final SampleConsumer consumer;
  private final int maxInFlight;
  private final IngestCounter counter;
  private final AtomicInteger inFlight = new AtomicInteger();
  private Connection connection; // guarded by this

  public UdpReceiver(String host, int port, MeterMessageDecoder decoder, SampleConsumer consumer, int maxInFlight,
      IngestCounter counter) {
    if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be at least 1");
    this.host = host;
    this.port = port;
    this.decoder = decoder;
    this.consumer = consumer;
    this.maxInFlight = maxInFlight;
    this.counter = counter;
  }

  /** Binds (port 0: an ephemeral port) and answers the bound address. */
  public synchronized InetSocketAddress start() {
    if (connection == null) {
      connection = UdpServer.create().host(host).port(port)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
          .handle((in, out) -> in.receiveObject().doOnNext(o -> {
            if (o instanceof DatagramPacket p) onDatagram(ByteBufUtil.getBytes(p.content()));
          }).then())
          .bindNow(Duration.ofSeconds(10));
      LOG.info("UDP receiver listening on {} (signatures {})", connection.address(),
          decoder.signing() ? "verified" : "not checked: no telemetry secret");
    }
    return (InetSocketAddress) connection.address();
  }

  public synchronized void stop() {
    if (connection != null) {
      connection.disposeNow(Duration.ofSeconds(10));
      connection = null;
    }
  }

  public synchronized boolean running() {
    return connection != null;
  }

  /** Samples handed to the pipeline and not yet acknowledged. */
  public int inFlight() {
    return inFlight.get();
  }

  private void onDatagram(byte[] data) {
    MeterMessageDecoder.Result r = decoder.decodeMsgPack(data);
    if (!r.ok()) {
      counter.count(r.outcome());
      LOG.debug("UDP receiver: rejected a datagram ({}): {}", r.outcome().tag(), r.reason());
      return;
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      counter.count(IngestOutcome.DROPPED);
      return;
    }
    List<Sample> one = List.of(r.sample());
    consumer.accept(one).subscribe(null, e -> {
      inFlight.decrementAndGet();
      IngestOutcome outcome = IngestOutcome.ofPipelineError(e);
      counter.count(outcome);
      if (outcome != IngestOutcome.DROPPED) LOG.warn("UDP receiver: the pipeline failed a sample: {}", e.toString());
    }, () -> {
      inFlight.decrementAndGet();
      counter.count(IngestOutcome.ACCEPTED);
    });
  }
}
