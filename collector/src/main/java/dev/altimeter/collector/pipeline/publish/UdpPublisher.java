package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Sample;
import dev.altimeter.wire.MsgPack;
import dev.altimeter.wire.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@code udp://host[:4952]}: one datagram per sample, the msgpack encoding of its signed meter
 * message dict ({@link WireFormat#meterMessage}). Events are not supported (as in Ceilometer). The
 * host is resolved once, at creation. Sends run on the blocking scheduler; a sample whose encoding
 * exceeds 65,507 bytes fails the batch after the others were sent.
 */
final class UdpPublisher implements Publisher {
  static final int DEFAULT_PORT = 4952;
  private static final int MAX_DATAGRAM = 65_507;

  private final InetSocketAddress target;
  private final PublisherContext context;
  private final DatagramChannel channel;

  UdpPublisher(InetSocketAddress target, PublisherContext context) {
    this.target = target;
    this.context = context;
    try {
      this.channel = DatagramChannel.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static UdpPublisher create(PublisherUrl url, PublisherContext context) {
    if (url.host() == null) throw new IllegalArgumentException("udp publisher needs a host: " + url.redacted());
    return new UdpPublisher(new InetSocketAddress(url.host(), url.port() < 0 ? DEFAULT_PORT : url.port()), context);
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    return Mono.<Void>fromRunnable(() -> {
      List<byte[]> datagrams = new ArrayList<>(samples.size());
      for (Sample s : samples) datagrams.add(MsgPack.encode(WireFormat.meterMessage(s, context.signer())));
      int oversize = 0;
      for (byte[] d : datagrams) {
        if (d.length > MAX_DATAGRAM) {
          oversize++;
          continue;
        }
        try {
          channel.send(ByteBuffer.wrap(d), target);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot send to udp://" + target, e);
        }
      }
      if (oversize > 0) throw new IllegalStateException(oversize + " samples too large for a datagram");
    }).subscribeOn(context.blocking());
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
