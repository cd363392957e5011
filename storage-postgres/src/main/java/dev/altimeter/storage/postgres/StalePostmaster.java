package dev.altimeter.storage.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears the way for the embedded server when an earlier run of the service died without stopping
 * it. zonky starts PostgreSQL through {@code pg_ctl}, so the postmaster is not the JVM's child: when
 * the JVM is killed (SIGKILL, OOM killer) the postmaster lives on, and PostgreSQL refuses to start
 * another one on a directory whose {@code postmaster.pid} names a live process. After a reboot the
 * opposite happens: the file names a pid that now belongs to some unrelated process.
 *
 * <p>Contract: a process is signalled only when (1) no live process holds the cluster's lock file
 * (zonky's {@code epg-lock}, an OS lock that dies with the JVM that held it: a running service keeps
 * its server) and (2) it is a {@code postgres} executable whose working directory is this cluster
 * (a postmaster changes into its data directory). It is stopped with a fast shutdown (SIGINT, as
 * {@code pg_ctl stop -m fast}: open transactions roll back, committed ones are on disk), escalated to
 * an immediate shutdown (SIGQUIT: the next start replays the write-ahead log, as after a crash) if it
 * has not exited within the wait. A {@code postmaster.pid} whose pid belongs to anything else is
 * stale and removed. Linux only (it reads {@code /proc}), like the bundled binaries.
 */
final class StalePostmaster {
  private static final Logger LOG = LoggerFactory.getLogger(StalePostmaster.class);
  static final String LOCK_FILE = "epg-lock";
  /** How long an immediate shutdown may take before we give up: it only kills processes. */
  static final Duration IMMEDIATE_WAIT = Duration.ofSeconds(30);
  /** How often {@link #awaitExit} looks: a postmaster exits within milliseconds of its last backend. */
  private static final Duration EXIT_POLL = Duration.ofMillis(20);

  private StalePostmaster() {}

  /**
   * Stops the postmaster a dead service left running in {@code cluster}, or removes a stale
   * {@code postmaster.pid}; does nothing when there is neither. Blocks up to about {@code wait}.
   *
   * @throws IllegalStateException when a live process holds the cluster (another service, or this
   *     JVM), when the pid's owner cannot be checked, or when the postmaster does not exit
   */
  static void clear(Path cluster, Duration wait) {
    Path lockFile = cluster.resolve(LOCK_FILE);
    if (!Files.exists(cluster.resolve("postmaster.pid"))) return;
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IllegalStateException("The embedded PostgreSQL data in " + cluster
            + " is in use by a running process (it holds " + lockFile + "); is another Altimeter using this data dir?");
      }
      try (FileLock held = lock) {
        clearHolding(cluster, wait);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check for a stale PostgreSQL server in " + cluster, e);
    }
  }

  /** {@link #clear} once nothing else may start a server on the cluster. */
  private static void clearHolding(Path cluster, Duration wait) throws IOException {
    Path pidFile = cluster.resolve("postmaster.pid");
    // a missing or half-written file, or a pid that is gone: PostgreSQL itself handles those
    Optional<ProcessHandle> process = running(cluster);
    if (process.isEmpty()) return;
    ProcessHandle postmaster = process.get();
    switch (ownerOf(postmaster, cluster)) {
      case THIS_CLUSTER -> stop(postmaster, cluster, wait);
      case OTHER -> {
        LOG.warn("Removing {}: it names pid {}, which is not a PostgreSQL server of this directory ({}); "
            + "left by a server that died with the machine", pidFile, postmaster.pid(),
            postmaster.info().command().orElse("?"));
        Files.deleteIfExists(pidFile);
      }
      case UNKNOWN -> throw new IllegalStateException("Process " + postmaster.pid() + " named in " + pidFile
          + " may be a PostgreSQL server on this directory, and this user cannot check; stop it, or remove the file"
          + " if it is not one");
    }
  }

  /** The live process named in the cluster's {@code postmaster.pid}, if any (whatever it is). */
  static Optional<ProcessHandle> running(Path cluster) {
    try {
      List<String> lines = Files.readAllLines(cluster.resolve("postmaster.pid"));
      return lines.isEmpty() ? Optional.empty()
          : ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(p -> !exited(p));
    } catch (NoSuchFileException | NumberFormatException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  enum Owner { THIS_CLUSTER, OTHER, UNKNOWN }

  /** Whether {@code process} is a postgres whose working directory is {@code cluster}. */
  static Owner ownerOf(ProcessHandle process, Path cluster) throws IOException {
    Optional<String> command = process.info().command();
    if (command.isEmpty()) return Owner.UNKNOWN;
    if (!Path.of(command.get()).getFileName().toString().equals("postgres")) return Owner.OTHER;
    Path cwd;
    try {
      cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return process.isAlive() ? Owner.UNKNOWN : Owner.OTHER;
    }
    return cwd.equals(cluster.toRealPath()) ? Owner.THIS_CLUSTER : Owner.OTHER;
  }

  private static void stop(ProcessHandle postmaster, Path cluster, Duration wait) {
    LOG.warn("A PostgreSQL server (pid {}) is still running on {}, left by a run of the service that did not stop it"
        + " (killed?); stopping it (fast shutdown) before starting our own", postmaster.pid(), cluster);
    signal(postmaster, "INT");
    if (awaitExit(postmaster, wait, "the stale PostgreSQL server (pid " + postmaster.pid() + ") to shut down")) return;
    LOG.warn("The stale PostgreSQL server (pid {}) did not shut down within {} s; immediate shutdown (the next start"
        + " recovers from the write-ahead log)", postmaster.pid(), wait.toSeconds());
    signal(postmaster, "QUIT");
    if (awaitExit(postmaster, IMMEDIATE_WAIT, "the stale PostgreSQL server (pid " + postmaster.pid() + ") to exit")) {
      return;
    }
    throw new IllegalStateException("The stale PostgreSQL server (pid " + postmaster.pid() + ") on " + cluster
        + " does not exit; stop it, then start the service again");
  }

  /**
   * Sends {@code signal} with the {@code kill} utility (Java can send only SIGTERM and SIGKILL;
   * {@code pg_ctl kill} refuses to run as root); if that fails, SIGTERM (a smart shutdown: it waits
   * for clients, and the dead service's connections are gone).
   */
  private static void signal(ProcessHandle postmaster, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(postmaster.pid()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) return;
      kill.destroyForcibly();
    } catch (IOException e) {
      LOG.warn("kill -s {} {} failed: {}", signal, postmaster.pid(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while stopping a stale PostgreSQL server", e);
    }
    postmaster.destroy();
  }

  /**
   * Waits up to {@code limit} for the process to exit, with progress in the log; whether it did.
   *
   * <p>Polled rather than {@code onExit()}: the JDK counts a zombie as alive, and an exited
   * postmaster is one until init reaps it (its parent, pg_ctl, is gone), which takes seconds under
   * some inits; and the JDK polls a process that is not the JVM's child every 300 ms at best.
   */
  static boolean awaitExit(ProcessHandle process, Duration limit, String what) {
    long deadline = System.nanoTime() + limit.toNanos();
    try (ProgressLog progress = new ProgressLog(LOG, what, limit, "")) {
      while (!exited(process)) {
        if (System.nanoTime() - deadline >= 0) return false;
        Thread.sleep(EXIT_POLL.toMillis());
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + what, e);
    }
  }

  /**
   * Whether the process has exited: gone, or a zombie (exited, its parent has not collected its
   * status yet; a zombie holds no files, ports or shared memory).
   */
  static boolean exited(ProcessHandle process) {
    if (!process.isAlive()) return true;
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      return !process.isAlive();
    }
    // "pid (comm) state ...": comm may hold spaces and parentheses; the state follows the last ')'
    int comm = stat.lastIndexOf(')');
    if (comm < 0 || comm + 2 >= stat.length()) return !process.isAlive();
    char state = stat.charAt(comm + 2);
    return state == 'Z' || state == 'X';
  }
}
