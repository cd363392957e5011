package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.wire.PythonText;
import dev.altimeter.wire.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * {@code file:///path?max_bytes=N&backup_count=M&json}: one line per sample ({@code sample.as_dict()}
 * as JSON with {@code json}, else as its Python repr like Ceilometer's default), events as
 * {@code event.serialize()}. When both {@code max_bytes} and {@code backup_count} are positive the
 * file rotates like Python's RotatingFileHandler: before a line that would reach {@code max_bytes},
 * {@code path.(M-1)} → {@code path.M}, …, {@code path} → {@code path.1}; so disk use is bounded by
 * about {@code max_bytes × (M + 1)}. Without them the file grows (Ceilometer's behaviour).
 *
 * <p>Writes run on the blocking scheduler, serialised by this publisher's monitor; each batch is
 * forced to the OS (not fsync'd) before the Mono completes.
 */
final class FilePublisher implements Publisher {
  private final Path path;
  private final long maxBytes;
  private final int backupCount;
  private final boolean json;
  private final PublisherContext context;
  private FileChannel channel;
  private long size;

  FilePublisher(Path path, long maxBytes, int backupCount, boolean json, PublisherContext context) {
    this.path = path;
    this.maxBytes = maxBytes;
    this.backupCount = backupCount;
    this.json = json;
    this.context = context;
  }

  static FilePublisher create(PublisherUrl url, PublisherContext context) {
    if (url.path().isEmpty()) throw new IllegalArgumentException("file publisher needs a path: " + url.redacted());
    int maxBytes = url.intOption("max_bytes", 0);
    int backups = url.intOption("backup_count", 0);
    if (maxBytes < 0 || backups < 0) throw new IllegalArgumentException("max_bytes and backup_count must not be negative");
    return new FilePublisher(Path.of(url.path()), maxBytes, backups, url.boolOption("json", false), context);
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    List<Object> dicts = new ArrayList<>(samples.size());
    for (Sample s : samples) dicts.add(WireFormat.asDict(s));
    return write(dicts);
  }

  @Override
  public Mono<Void> publishEvents(List<Event> events) {
    List<Object> dicts = new ArrayList<>(events.size());
    for (Event e : events) dicts.add(WireFormat.eventDict(e));
    return write(dicts);
  }

  private Mono<Void> write(List<Object> dicts) {
    return Mono.<Void>fromRunnable(() -> {
      List<byte[]> lines = new ArrayList<>(dicts.size());
      for (Object d : dicts) {
        String text = json ? Json.string(d) : PythonText.repr((Map<?, ?>) d);
        lines.add((text + "\n").getBytes(StandardCharsets.UTF_8));
      }
      synchronized (this) {
        try {
          for (byte[] line : lines) writeLine(line);
          if (channel != null) channel.force(false);
        } catch (IOException e) {
          closeQuietly();
          throw new UncheckedIOException("cannot write " + path, e);
        }
      }
    }).subscribeOn(context.blocking());
  }

  private void writeLine(byte[] line) throws IOException {
    if (channel == null) open();
    if (maxBytes > 0 && backupCount > 0 && size > 0 && size + line.length >= maxBytes) rotate();
    ByteBuffer buf = ByteBuffer.wrap(line);
    while (buf.hasRemaining()) size += channel.write(buf);
  }

  private void open() throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    size = channel.size();
  }

  private void rotate() throws IOException {
    channel.close();
    channel = null;
    for (int i = backupCount - 1; i >= 1; i--) {
      Path from = backup(i);
      if (Files.exists(from)) Files.move(from, backup(i + 1), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.move(path, backup(1), StandardCopyOption.REPLACE_EXISTING);
    open();
  }

  private Path backup(int i) {
    return path.resolveSibling(path.getFileName() + "." + i);
  }

  private void closeQuietly() {
    try {
      if (channel != null) channel.close();
    } catch (IOException ignored) {
      // closing after a failure
    }
    channel = null;
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}
