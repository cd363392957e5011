package dev.altimeter.collector;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM, before any test runs: every collector test then fails on a
 * blocking call made on a non-blocking thread (Reactor's parallel and single schedulers, Netty event
 * loops). Installing it later, while scheduler threads are parked, can break those threads, so it
 * happens here and not in a test class.
 */
public final class BlockHoundInstaller implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    install();
  }

  /** Idempotent. */
  public static synchronized void install() {
    // install(...) also loads the Reactor and Reactor Netty integrations (which threads are non-blocking)
    BlockHound.install(builder -> builder
        // BlockHound knows java.io streams; NIO file reads (Files.readString, readAllLines) are blocking too
        .markAsBlocking("sun.nio.ch.FileChannelImpl", "read", "(Ljava/nio/ByteBuffer;)I")
        // log lines are written synchronously to the console in tests; production logging is configured apart
        .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
        .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend")
        // Netty 4.2's buffer allocator takes a short StampedLock when it grows or frees a magazine;
        // a brief lock between event loops, not I/O (BlockHound 1.0.13's Netty integration predates it)
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
        // r2dbc-postgresql's SCRAM login (the embedded server requires a password) draws its nonce
        // from SecureRandom, which reads /dev/urandom: never waits once the kernel is seeded
        .allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce"));
  }
}
