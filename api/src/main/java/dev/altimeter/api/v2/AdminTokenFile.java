package dev.altimeter.api.v2;

import dev.altimeter.storage.TokenStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Token mode's first start: when the store holds no token at all, makes an admin token and writes
 * its secret to {@code <altimeter.data-dir>/admin-token} (mode 0600, replaced if present), logging
 * where, so a new deployment is usable without ever having been open. Later starts find tokens and do
 * nothing. Runs once, on the main thread during start-up (it blocks, before requests are served).
 */
@Component
class AdminTokenFile implements SmartInitializingSingleton {
  private static final Logger LOG = LoggerFactory.getLogger(AdminTokenFile.class);
  static final String FILE = "admin-token";

  private final ApiSettings settings;
  private final ObjectProvider<TokenStore> tokens;
  private final Path dataDir;

  AdminTokenFile(ApiSettings settings, ObjectProvider<TokenStore> tokens,
      @Value("${altimeter.data-dir:./data}") Path dataDir) {
    this.settings = settings;
    this.tokens = tokens;
    this.dataDir = dataDir;
  }

  @Override
  public void afterSingletonsInstantiated() {
    TokenStore store = tokens.getIfAvailable();
    if (settings.auth != ApiSettings.Auth.TOKEN || store == null) return;
    if (Boolean.TRUE.equals(store.list().hasElements().block(Duration.ofSeconds(60)))) return;
    Path file = dataDir.resolve(FILE).toAbsolutePath();
    var issued = TokenIssuer.issue(store, "admin", "admin", List.of("admin"), Instant.now(), null)
        .block(Duration.ofSeconds(60));
    try {
      Files.createDirectories(dataDir);
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, issued.secret() + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("token mode: no token exists and the first admin token cannot be written to "
          + file + " (set altimeter.data-dir to a writable directory)", e);
    }
    LOG.warn("token mode: no token existed, so an admin token was made (id {}); its secret is in {} (mode 0600):"
        + " curl -H \"Authorization: Bearer $(cat {})\" ...", issued.token().id(), file, file);
  }
}
