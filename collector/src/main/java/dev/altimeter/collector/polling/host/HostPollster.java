package dev.altimeter.collector.polling.host;

import dev.altimeter.collector.polling.PollCycle;
import dev.altimeter.collector.polling.Pollster;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Meters of the machine the agent runs on, read from {@code /proc} and {@code /sys} (or a host's
 * copies mounted into a container), named as Ceilometer's {@code hardware.*} meters; the list with
 * units is in {@code docs/host-meters.md}.
 *
 * <p>Reading /proc is blocking file I/O: every read runs on the bounded scheduler given to the
 * constructor (the factory names it {@code altimeter-blocking-io}), never on the calling thread.
 * One cycle reads each file once. The previous CPU counters are kept to compute
 * {@code hardware.cpu.util} over the last interval (since boot on the first cycle). Thread-safe.
 */
public final class HostPollster implements Pollster {
  /** Sample source of host meters, as Ceilometer's hardware pollsters. */
  public static final String SAMPLE_SOURCE = "hardware";
  static final long SECTOR_BYTES = 512;

  /** The meters this pollster produces, in the order of docs/host-meters.md. */
  public static final List<String> METERS = List.of(
      "hardware.cpu.load.1min", "hardware.cpu.load.5min", "hardware.cpu.load.15min",
      "hardware.cpu.util", "hardware.cpu.user", "hardware.cpu.nice", "hardware.cpu.system",
      "hardware.cpu.idle", "hardware.cpu.wait", "hardware.cpu.kernel", "hardware.cpu.interrupt",
      "hardware.memory.total", "hardware.memory.used", "hardware.memory.free", "hardware.memory.buffer",
      "hardware.memory.cached", "hardware.memory.swap.total", "hardware.memory.swap.avail",
      "hardware.disk.read.bytes", "hardware.disk.write.bytes", "hardware.disk.read.requests",
      "hardware.disk.write.requests", "hardware.disk.size.total", "hardware.disk.size.used",
      "hardware.network.incoming.bytes", "hardware.network.outgoing.bytes",
      "hardware.network.incoming.packets", "hardware.network.outgoing.packets",
      "hardware.network.incoming.errors", "hardware.network.outgoing.errors");

  private static final Set<String> LOCAL_FS_TYPES = Set.of(
      "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "exfat", "ntfs", "f2fs", "jfs", "reiserfs");

  /**
   * Where to read.
   *
   * @param name the pollster name; {@code host} by default
   * @param procRoot the proc file system, {@code /proc} or a mounted host copy such as {@code /host/proc}
   * @param sysRoot the sys file system, {@code /sys} or {@code /host/sys}
   * @param rootFs where the host's mount points are visible ({@code /}, or {@code /host/root}); file
   *     system usage is measured at {@code rootFs + mount point}
   * @param hostName the host resource id; {@code null} reads {@code <procRoot>/sys/kernel/hostname}
   */
  public record Config(String name, Path procRoot, Path sysRoot, Path rootFs, String hostName) {
    public Config {
      name = name == null ? "host" : name;
      procRoot = procRoot == null ? Path.of("/proc") : procRoot;
      sysRoot = sysRoot == null ? Path.of("/sys") : sysRoot;
      rootFs = rootFs == null ? Path.of("/") : rootFs;
    }

    /** The machine's own /proc, /sys and /. */
    public static Config local() {
      return new Config(null, null, null, null, null);
    }
  }

  private final Config config;
  private final Scheduler blockingReads;
  private final AtomicReference<long[]> previousCpu = new AtomicReference<>();
  private volatile String hostName;

  /**
   * @param blockingReads a bounded scheduler on which blocking reads may run; not owned (not disposed here)
   */
  public HostPollster(Config config, Scheduler blockingReads) {
    this.config = Objects.requireNonNull(config);
    this.blockingReads = Objects.requireNonNull(blockingReads);
    this.hostName = config.hostName();
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public List<String> meterNames() {
    return METERS;
  }

  @Override
  public boolean partitioned() {
    return false;
  }

  @Override
  public Flux<Sample> poll(PollCycle cycle) {
    return Mono.fromCallable(() -> read(cycle))
        .subscribeOn(blockingReads)
        .flatMapIterable(list -> list);
  }

  /** Blocking: reads everything of one cycle. */
  List<Sample> read(PollCycle cycle) throws IOException {
    String host = hostName();
    Samples out = new Samples(cycle, host);
    readLoad(out);
    readCpu(out);
    readMemory(out);
    readDiskIo(out);
    readFileSystems(out);
    readNetwork(out);
    return out.samples;
  }

  private String hostName() throws IOException {
    String h = hostName;
    if (h == null) {
      Path file = config.procRoot().resolve("sys/kernel/hostname");
      h = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
      if (h.isEmpty()) h = "localhost";
      hostName = h;
    }
    return h;
  }

  private void readLoad(Samples out) throws IOException {
    List<String> lines = lines(config.procRoot().resolve("loadavg"));
    if (lines.isEmpty()) return;
    String[] f = lines.get(0).trim().split("\\s+");
    out.host("hardware.cpu.load.1min", SampleType.GAUGE, "process", Double.parseDouble(f[0]));
    out.host("hardware.cpu.load.5min", SampleType.GAUGE, "process", Double.parseDouble(f[1]));
    out.host("hardware.cpu.load.15min", SampleType.GAUGE, "process", Double.parseDouble(f[2]));
  }

  /** /proc/stat "cpu" line: user nice system idle iowait irq softirq steal ... in USER_HZ ticks. */
  private void readCpu(Samples out) throws IOException {
    for (String line : lines(config.procRoot().resolve("stat"))) {
      if (!line.startsWith("cpu ")) continue;
      String[] f = line.trim().split("\\s+");
      long[] t = new long[8];
      for (int i = 0; i < t.length && i + 1 < f.length; i++) t[i] = Long.parseLong(f[i + 1]);
      long user = t[0], nice = t[1], system = t[2], idle = t[3], iowait = t[4], irq = t[5], softirq = t[6];
      out.host("hardware.cpu.user", SampleType.GAUGE, "tick", user);
      out.host("hardware.cpu.nice", SampleType.GAUGE, "tick", nice);
      out.host("hardware.cpu.system", SampleType.GAUGE, "tick", system);
      out.host("hardware.cpu.idle", SampleType.GAUGE, "tick", idle);
      out.host("hardware.cpu.wait", SampleType.GAUGE, "tick", iowait);
      out.host("hardware.cpu.kernel", SampleType.GAUGE, "tick", system + irq + softirq);
      out.host("hardware.cpu.interrupt", SampleType.GAUGE, "tick", irq + softirq);
      long total = 0;
      for (long v : t) total += v;
      long idleAll = idle + iowait;
      long[] now = {total, idleAll};
      long[] before = previousCpu.getAndSet(now);
      long dTotal = before == null ? total : total - before[0];
      long dIdle = before == null ? idleAll : idleAll - before[1];
      if (dTotal > 0) {
        out.host("hardware.cpu.util", SampleType.GAUGE, "%", 100.0 * (dTotal - dIdle) / dTotal);
      }
      return;
    }
  }

  /** /proc/meminfo, values in kB. */
  private void readMemory(Samples out) throws IOException {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String line : lines(config.procRoot().resolve("meminfo"))) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String[] v = line.substring(colon + 1).trim().split("\\s+");
      try {
        m.put(line.substring(0, colon), Long.parseLong(v[0]));
      } catch (NumberFormatException ignored) {
        // not a number: skip the line
      }
    }
    Long total = m.get("MemTotal");
    if (total == null) return;
    long free = m.getOrDefault("MemFree", 0L);
    long available = m.getOrDefault("MemAvailable",
        free + m.getOrDefault("Buffers", 0L) + m.getOrDefault("Cached", 0L));
    out.host("hardware.memory.total", SampleType.GAUGE, "KB", total);
    out.host("hardware.memory.used", SampleType.GAUGE, "KB", total - available);
    out.host("hardware.memory.free", SampleType.GAUGE, "KB", free);
    out.host("hardware.memory.buffer", SampleType.GAUGE, "KB", m.getOrDefault("Buffers", 0L));
    out.host("hardware.memory.cached", SampleType.GAUGE, "KB", m.getOrDefault("Cached", 0L));
    out.host("hardware.memory.swap.total", SampleType.GAUGE, "KB", m.getOrDefault("SwapTotal", 0L));
    out.host("hardware.memory.swap.avail", SampleType.GAUGE, "KB", m.getOrDefault("SwapFree", 0L));
  }

  /**
   * /proc/diskstats: major minor name reads merged sectors ms writes merged sectors ms ...
   * Whole devices listed in {@code <sysRoot>/block} when that exists; loop and ram devices never.
   */
  private void readDiskIo(Samples out) throws IOException {
    Path block = config.sysRoot().resolve("block");
    Set<String> wholeDevices = new HashSet<>();
    if (Files.isDirectory(block)) {
      try (var s = Files.list(block)) {
        s.forEach(p -> wholeDevices.add(p.getFileName().toString()));
      }
    }
    for (String line : lines(config.procRoot().resolve("diskstats"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10) continue;
      String dev = f[2];
      if (dev.startsWith("loop") || dev.startsWith("ram")) continue;
      if (!wholeDevices.isEmpty() && !wholeDevices.contains(dev)) continue;
      String resource = out.host + "." + dev;
      Map<String, Object> md = Map.of("device", dev);
      out.add("hardware.disk.read.requests", SampleType.GAUGE, "requests", Long.parseLong(f[3]), resource, md);
      out.add("hardware.disk.read.bytes", SampleType.GAUGE, "B", Long.parseLong(f[5]) * SECTOR_BYTES, resource, md);
      out.add("hardware.disk.write.requests", SampleType.GAUGE, "requests", Long.parseLong(f[7]), resource, md);
      out.add("hardware.disk.write.bytes", SampleType.GAUGE, "B", Long.parseLong(f[9]) * SECTOR_BYTES, resource, md);
    }
  }

  /** <procRoot>/mounts (of the host when /proc is the host's): block-device backed local file systems. */
  private void readFileSystems(Samples out) throws IOException {
    Set<String> seen = new HashSet<>();
    for (String line : lines(config.procRoot().resolve("mounts"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 3) continue;
      String device = unescapeMount(f[0]);
      String mountPoint = unescapeMount(f[1]);
      if (!device.startsWith("/dev/") || !LOCAL_FS_TYPES.contains(f[2]) || !seen.add(device)) continue;
      Path at = config.rootFs().resolve(mountPoint.substring(1));
      if (!Files.isDirectory(at)) continue;
      FileStore store = Files.getFileStore(at);
      long total = store.getTotalSpace() / 1024;
      long used = (store.getTotalSpace() - store.getUnallocatedSpace()) / 1024;
      String dev = device.substring("/dev/".length());
      String resource = out.host + "." + dev;
      Map<String, Object> md = Map.of("device", device, "path", mountPoint);
      out.add("hardware.disk.size.total", SampleType.GAUGE, "KB", total, resource, md);
      out.add("hardware.disk.size.used", SampleType.GAUGE, "KB", used, resource, md);
    }
  }

  private static String unescapeMount(String s) {
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
  }

  /** /proc/net/dev: iface: rx bytes packets errs drop fifo frame compressed multicast | tx bytes packets errs ... */
  private void readNetwork(Samples out) throws IOException {
    for (String line : lines(config.procRoot().resolve("net/dev"))) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String iface = line.substring(0, colon).trim();
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 16) continue;
      String resource = out.host + "." + iface;
      Map<String, Object> md = new LinkedHashMap<>();
      md.put("name", iface);
      Path sysIf = config.sysRoot().resolve("class/net").resolve(iface);
      String mac = firstLine(sysIf.resolve("address"));
      if (mac != null) md.put("mac", mac);
      String speed = firstLine(sysIf.resolve("speed"));
      try {
        if (speed != null && Long.parseLong(speed) > 0) md.put("speed", Long.parseLong(speed) * 1_000_000L / 8);
      } catch (NumberFormatException ignored) {
        // unknown speed
      }
      out.add("hardware.network.incoming.bytes", SampleType.CUMULATIVE, "B", Long.parseLong(f[0]), resource, md);
      out.add("hardware.network.incoming.packets", SampleType.CUMULATIVE, "packet", Long.parseLong(f[1]), resource, md);
      out.add("hardware.network.incoming.errors", SampleType.CUMULATIVE, "packet", Long.parseLong(f[2]), resource, md);
      out.add("hardware.network.outgoing.bytes", SampleType.CUMULATIVE, "B", Long.parseLong(f[8]), resource, md);
      out.add("hardware.network.outgoing.packets", SampleType.CUMULATIVE, "packet", Long.parseLong(f[9]), resource, md);
      out.add("hardware.network.outgoing.errors", SampleType.CUMULATIVE, "packet", Long.parseLong(f[10]), resource, md);
    }
  }

  private static String firstLine(Path p) {
    try {
      List<String> l = Files.readAllLines(p, StandardCharsets.UTF_8);
      return l.isEmpty() ? null : l.get(0).strip();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** All lines, or none when the file does not exist (e.g. no swap, a trimmed container /proc). */
  private static List<String> lines(Path p) throws IOException {
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** The samples of one cycle; not thread-safe (one per read). */
  private static final class Samples {
    final PollCycle cycle;
    final String host;
    final Map<String, Object> hostMetadata;
    final List<Sample> samples = new ArrayList<>();

    Samples(PollCycle cycle, String host) {
      this.cycle = cycle;
      this.host = host;
      this.hostMetadata = Map.of("host", host);
    }

    void host(String meter, SampleType type, String unit, double volume) {
      add(meter, type, unit, volume, host, hostMetadata);
    }

    void add(String meter, SampleType type, String unit, double volume, String resource, Map<String, Object> md) {
      samples.add(Sample.builder().meter(meter).type(type).unit(unit).volume(volume)
          .resourceId(resource).timestamp(cycle.timestamp()).source(SAMPLE_SOURCE)
          .resourceMetadata(md).messageId(cycle.messageId(meter, resource)).build());
    }
  }
}
