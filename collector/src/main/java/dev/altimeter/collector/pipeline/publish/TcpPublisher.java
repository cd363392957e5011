package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Sample;
import dev.altimeter.wire.MsgPack;
import dev.altimeter.wire.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@code tcp://host[:4952]}: per sample an 8-byte little-endian length then the msgpack encoding of
 * its signed meter message dict, over one persistent connection (opened on first use). On an I/O
 * error the connection is dropped and the batch is retried once on a new connection; a second
 * failure fails the batch. Writes run on the blocking scheduler, serialised by this publisher's
 * monitor.
 */
final class TcpPublisher implements Publisher {
  private final InetSocketAddress target;
  private final PublisherContext context;
  private SocketChannel channel;

  TcpPublisher(InetSocketAddress target, PublisherContext context) {
    this.target = target;
    this.context = context;
  }

  static TcpPublisher create(PublisherUrl url, PublisherContext context) {
    if (url.host() == null) throw new IllegalArgumentException("tcp publisher needs a host: " + url.redacted());
    return new TcpPublisher(InetSocketAddress.createUnresolved(url.host(),
        url.port() < 0 ? UdpPublisher.DEFAULT_PORT : url.port()), context);
  }

  static ByteBuffer frame(byte[] message) {
    ByteBuffer b = ByteBuffer.allocate(8 + message.length);
    b.order(ByteOrder.LITTLE_ENDIAN).putLong(message.length).put(message).flip();
    return b;
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    return Mono.<Void>fromRunnable(() -> {
      ByteBuffer[] frames = new ByteBuffer[samples.size()];
      for (int i = 0; i < frames.length; i++) {
        frames[i] = frame(MsgPack.encode(WireFormat.meterMessage(samples.get(i), context.signer())));
      }
      synchronized (this) {
        try {
          send(frames);
        } catch (IOException first) {
          disconnect();
          for (ByteBuffer f : frames) f.rewind();
          try {
            send(frames);
          } catch (IOException second) {
            disconnect();
            throw new UncheckedIOException("cannot send to tcp://" + target, second);
          }
        }
      }
    }).subscribeOn(context.blocking());
  }

  private void send(ByteBuffer[] frames) throws IOException {
    if (channel == null) {
      channel = SocketChannel.open(new InetSocketAddress(target.getHostString(), target.getPort()));
    }
    for (ByteBuffer f : frames) {
      while (f.hasRemaining()) channel.write(f);
    }
  }

  private void disconnect() {
    try {
      if (channel != null) channel.close();
    } catch (IOException ignored) {
      // already broken
    }
    channel = null;
  }

  @Override
  public synchronized void close() {
    disconnect();
  }
}
