package dev.altimeter.collector.receive;

import dev.altimeter.ingest.IngestCounter;
import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.wire.MeterMessageDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;
import reactor.util.retry.Retry;

/**
 * Receives what {@code tcp://} publishers send: per sample an 8-byte little-endian length then the
 * msgpack encoding of its meter message dict, on connections that stay open. Frames longer than
 * {@code maxFrameBytes} (or with a negative length) close the connection (counted as
 * {@code invalid}); a frame that is not a valid, correctly signed meter message is counted and
 * skipped. Back-pressured: a connection reads its next frame only once the pipeline accepted the
 * previous sample; while the pipeline answers {@link SampleConsumer.Overloaded} the sample is
 * retried with a backoff (up to 1 s) and nothing more is read, so the sender's socket fills up and
 * it slows down. A sender that closes its side of the connection has its frames read to the end:
 * every whole frame it wrote is still handed on and counted (the connection closes after the last
 * one), and a frame cut short by the close is counted as {@code invalid}.
 *
 * <p>{@link #start()} and {@link #stop()} block (up to 10 s): call them from a thread that may block.
 */
public final class TcpReceiver {
  private static final Logger LOG = LoggerFactory.getLogger(TcpReceiver.class);

  private final String host;
  private final int port;
  private final int maxFrameBytes;
  private final MeterMessageDecoder decoder;
  private final SampleConsumer consumer;
  private final IngestCounter counter;
  private DisposableServer server; // guarded by this

  public TcpReceiver(String host, int port, int maxFrameBytes, MeterMessageDecoder decoder, SampleConsumer consumer,
      IngestCounter counter) {
    if (maxFrameBytes < 1 || maxFrameBytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("bad maxFrameBytes");
    this.host = host;
    this.port = port;
    this.maxFrameBytes = maxFrameBytes;
    this.decoder = decoder;
    this.consumer = consumer;
    this.counter = counter;
  }

  /** Binds (port 0: an ephemeral port) and answers the bound address. */
  public synchronized InetSocketAddress start() {
    if (server == null) {
      server = TcpServer.create().host(host).port(port)
          // without half-closure the sender's FIN closes the channel, which cancels the connection's
          // work: the sample in the pipeline was stored uncounted and the frames queued behind it lost
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .doOnConnection(c -> c.addHandlerLast("altimeter-frames", new Frames(maxFrameBytes, counter)))
          .handle((in, out) -> in.receiveObject()
              .takeWhile(o -> o != Frames.END)
              .map(o -> ByteBufUtil.getBytes((ByteBuf) o))
              .concatMap(this::onFrame, 1)
              .onErrorResume(e -> {
                counter.count(IngestOutcome.INVALID);
                LOG.warn("TCP receiver: closing a connection: {}", e.toString());
                return Mono.empty();
              })
              .then())
          .bindNow(Duration.ofSeconds(10));
      LOG.info("TCP receiver listening on {} (frames up to {} bytes, signatures {})", server.address(), maxFrameBytes,
          decoder.signing() ? "verified" : "not checked: no telemetry secret");
    }
    return (InetSocketAddress) server.address();
  }

  public synchronized void stop() {
    if (server != null) {
      server.disposeNow(Duration.ofSeconds(10));
      server = null;
    }
  }

  public synchronized boolean running() {
    return server != null;
  }

  /**
   * The length-prefixed frames of one connection, then {@link #END} once the sender closed its side
   * (after the last whole frame); a partial frame left at the close is counted as invalid.
   */
  private static final class Frames extends LengthFieldBasedFrameDecoder {
    /** Passed on after the last frame when the sender shut its output down. */
    static final Object END = new Object();
    private final IngestCounter counter;

    Frames(int maxFrameBytes, IngestCounter counter) {
      super(ByteOrder.LITTLE_ENDIAN, maxFrameBytes + 8, 0, 8, 0, 8, true);
      this.counter = counter;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      super.decodeLast(ctx, in, out);
      if (in.isReadable()) {
        counter.count(IngestOutcome.INVALID);
        LOG.debug("TCP receiver: the sender closed within a frame ({} bytes left)", in.readableBytes());
        in.skipBytes(in.readableBytes());
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      // the decoder passes the frames still buffered on first, then the event
      super.userEventTriggered(ctx, evt);
      if (evt instanceof ChannelInputShutdownEvent) ctx.fireChannelRead(END);
    }
  }

  private Mono<Void> onFrame(byte[] frame) {
    MeterMessageDecoder.Result r = decoder.decodeMsgPack(frame);
    if (!r.ok()) {
      counter.count(r.outcome());
      LOG.debug("TCP receiver: rejected a frame ({}): {}", r.outcome().tag(), r.reason());
      return Mono.empty();
    }
    return consumer.accept(List.of(r.sample()))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(5)).maxBackoff(Duration.ofSeconds(1))
            .filter(e -> e instanceof SampleConsumer.Overloaded))
        .doOnSuccess(v -> counter.count(IngestOutcome.ACCEPTED))
        .onErrorResume(e -> {
          counter.count(IngestOutcome.ofPipelineError(e));
          LOG.warn("TCP receiver: the pipeline failed a sample: {}", e.toString());
          return Mono.empty();
        });
  }
}
