package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A stopped postmaster is a zombie until init reaps it (its parent, pg_ctl, is gone), and the JDK
 * counts a zombie as alive: waiting for its exit must not wait for the reaping as well.
 */
class StalePostmasterTest {
  /** Longer than any exit of a process that has already exited; the zombie below lives 10 minutes. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aZombieHasExited() throws Exception {
    // the shell starts a short sleep, then becomes a long one, which never collects its child
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!; exec sleep 600").start();
    try {
      long pid;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
          StandardCharsets.UTF_8))) {
        pid = Long.parseLong(out.readLine().strip());
      }
      ProcessHandle zombie = ProcessHandle.of(pid).orElseThrow();

      assertThat(StalePostmaster.awaitExit(zombie, WAIT, "the short sleep to exit")).isTrue();
      assertThat(StalePostmaster.exited(zombie)).isTrue();
    } finally {
      parent.destroyForcibly();
    }
  }

  @Test
  void aRunningProcessHasNotExited() throws Exception {
    Process running = new ProcessBuilder("sleep", "600").start();
    try {
      assertThat(StalePostmaster.exited(running.toHandle())).isFalse();
      assertThat(StalePostmaster.awaitExit(running.toHandle(), Duration.ofMillis(100), "sleep to exit")).isFalse();
    } finally {
      running.destroyForcibly();
    }
  }
}
