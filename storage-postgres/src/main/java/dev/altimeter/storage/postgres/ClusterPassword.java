package dev.altimeter.storage.postgres;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The password of the embedded server's superuser, kept in a file readable by its owner only
 * (mode 0600) beside the cluster. The password is never logged. Blocking file I/O; start-up only.
 */
final class ClusterPassword {
  /** What pg_hba.conf says for every line once the password is required. */
  static final String METHOD = "scram-sha-256";
  private static final int RANDOM_BYTES = 32;
  private static final Pattern FIELDS = Pattern.compile("\\s+");

  private ClusterPassword() {}

  /**
   * The password in {@code file}, or a new random one written there when there is none yet.
   *
   * @param cluster the cluster the password is for: when it already requires a password, a missing
   *     file is an error (a new password would be refused, and zonky retries a refused login until
   *     the start-up wait is over)
   */
  static String readOrCreate(Path file, Path cluster) throws IOException {
    if (Files.exists(file)) {
      String password = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (password.isEmpty()) throw new IllegalStateException(file + " is empty; it must hold the password of"
          + " role postgres of the embedded PostgreSQL in " + cluster);
      return password;
    }
    Path hba = cluster.resolve("pg_hba.conf");
    if (Files.exists(hba) && !admitsWithoutPassword(hba)) {
      throw new IllegalStateException("The embedded PostgreSQL in " + cluster + " requires the password kept in "
          + file + ", which is missing; restore it from a backup of the data directory");
    }
    byte[] random = new byte[RANDOM_BYTES];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    write(file, password + "\n");
    return password;
  }

  /**
   * Whether a pg_hba.conf lets some connection in on {@code trust} (what zonky's initdb writes, and
   * so every data directory of the versions before the password). A rough look at the text, good
   * enough to tell such a file from the one {@link #requiringPassword} writes; the server's own
   * view, {@code pg_hba_file_rules}, decides whether to migrate.
   */
  static boolean admitsWithoutPassword(Path hba) throws IOException {
    for (String line : Files.readAllLines(hba, StandardCharsets.UTF_8)) {
      int comment = line.indexOf('#');
      String rule = comment < 0 ? line : line.substring(0, comment);
      if (List.of(FIELDS.split(rule.strip())).contains("trust")) return true;
    }
    return false;
  }

  /** Replaces the cluster's pg_hba.conf with initdb's rules, each requiring the password. */
  static void requirePassword(Path cluster) throws IOException {
    write(cluster.resolve("pg_hba.conf"), requiringPassword());
  }

  /** initdb's rules (local socket, IPv4 and IPv6 loopback; databases and replication), password required. */
  static String requiringPassword() {
    StringBuilder rules = new StringBuilder("""
        # Written by Altimeter: every connection needs the password of role postgres, which the
        # service keeps in postgresql.password beside this directory (mode 0600).
        # TYPE  DATABASE        USER            ADDRESS                 METHOD
        """);
    for (String database : List.of("all", "replication")) {
      rules.append(String.format("local   %-15s all                                     %s%n", database, METHOD));
      rules.append(String.format("host    %-15s all             127.0.0.1/32            %s%n", database, METHOD));
      rules.append(String.format("host    %-15s all             ::1/128                 %s%n", database, METHOD));
    }
    return rules.toString();
  }

  /**
   * Writes {@code text} to {@code file} whole or not at all (a new file, synced, then renamed over
   * the old), created readable and writable by its owner only: it never exists with wider
   * permissions, not even for a moment.
   */
  private static void write(Path file, String text) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".new");
    Files.deleteIfExists(next);
    Files.createFile(next, PosixFilePermissions.asFileAttribute(
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    try (FileChannel channel = FileChannel.open(next, StandardOpenOption.WRITE)) {
      channel.write(StandardCharsets.UTF_8.encode(text));
      channel.force(true);
    }
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
