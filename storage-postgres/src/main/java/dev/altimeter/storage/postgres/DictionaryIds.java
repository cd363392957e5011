package dev.altimeter.storage.postgres;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The ids of a dictionary table's rows (meter, resource owner, metadata document, event type) by
 * their natural key, as a store's upserts returned them, so that a batch whose keys are all known
 * needs no upsert.
 *
 * <p>Contract. Only committed ids: {@link #remember} takes the rows of an upsert statement and
 * keeps them only once that statement completed, i.e. its implicit transaction committed. Rows
 * arrive before the commit, and a commit can still fail after them (PostgreSQL restarted under the
 * write): an id kept from those rows would name a row that does not exist, and every later batch of
 * that key would fail on the foreign key. A cached id can still go stale (the table emptied behind
 * the store's back): the store then calls {@link #forget}.
 *
 * <p>Bounded: never more than {@code limit} entries; an entry that finds it full clears it first
 * (its ids are learnt again by the next upserts). A lookup may therefore miss a key just remembered:
 * callers treat a miss between resolution and use as a transient conflict.
 *
 * <p>Thread-safe: a store's batches resolve and read their ids on the driver's threads, several at
 * once. Lookups are lock-free reads of a concurrent map; remembering and forgetting hold this
 * object's lock, so the check of the bound and the insert that follows it are one step.
 */
final class DictionaryIds<K, V> {
  private final Map<K, V> ids = new ConcurrentHashMap<>();
  private final int limit;

  DictionaryIds(int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit " + limit);
    this.limit = limit;
  }

  /** The id of {@code key}, or null when it is not known (never seen, or cleared since). */
  V get(K key) {
    return ids.get(key);
  }

  boolean contains(K key) {
    return ids.containsKey(key);
  }

  /**
   * Remembers the {@code (key, id)} rows an upsert statement returns, once they all arrived and the
   * statement completed; nothing of a statement that fails, even after its rows. The Mono completes
   * when they are remembered and fails with the statement's error.
   */
  Mono<Void> remember(Publisher<Map.Entry<K, V>> returned) {
    return Flux.from(returned).collectList().doOnNext(this::rememberAll).then();
  }

  /** Forgets every id: they are learnt again by the next upserts. */
  synchronized void forget() {
    ids.clear();
  }

  private synchronized void rememberAll(List<Map.Entry<K, V>> entries) {
    for (Map.Entry<K, V> e : entries) {
      if (ids.size() >= limit) ids.clear();
      ids.put(e.getKey(), e.getValue());
    }
  }
}
