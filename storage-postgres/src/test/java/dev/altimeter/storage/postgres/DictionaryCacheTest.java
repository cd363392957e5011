package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventFilter;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.StoreException;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The store's caches of dictionary ids (resource owner, meter, metadata document, event type) never
 * hold an id whose row is not in the database.
 *
 * <p>A dictionary row (resource owner, meter, metadata document, event type) whose insert sent its
 * {@code RETURNING} rows and then did not commit: what a restart of PostgreSQL mid-write does (CI's
 * crash check, {@code pg_ctlcluster restart}: the backend is terminated between the rows and the
 * commit). The store must not keep that id: the next write of the same owner must store its samples,
 * not fail every later batch with a foreign key violation as data the caller got wrong.
 *
 * <p>The lost commit is made deterministic by a deferred constraint trigger, which runs at the
 * implicit transaction's commit, after the rows were returned, and raises what a terminated backend
 * reports ({@code 57P01}, admin_shutdown).
 */
class DictionaryCacheTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  @BeforeEach
  void clear() {
    TestPostgres.truncate();
  }

  @AfterEach
  void cleanUp() {
    dropTriggers();
  }

  /** PostgreSQL is back: commits are no longer lost. */
  private static void dropTriggers() {
    sql("DROP TRIGGER IF EXISTS lose_commit ON resource", "DROP TRIGGER IF EXISTS lose_commit ON meter",
        "DROP TRIGGER IF EXISTS lose_commit ON resource_metadata", "DROP TRIGGER IF EXISTS lose_commit ON event_type",
        "DROP FUNCTION IF EXISTS lose_commit()");
  }

  @Test
  void aResourceOwnerWhoseInsertWasNotCommittedIsInsertedAgain() {
    loseCommitsOn("resource");
    assertSampleStoredAfterALostCommit();
  }

  @Test
  void aMeterWhoseInsertWasNotCommittedIsInsertedAgain() {
    loseCommitsOn("meter");
    assertSampleStoredAfterALostCommit();
  }

  @Test
  void aMetadataDocumentWhoseInsertWasNotCommittedIsInsertedAgain() {
    loseCommitsOn("resource_metadata");
    assertSampleStoredAfterALostCommit();
  }

  @Test
  void anEventTypeWhoseInsertWasNotCommittedIsInsertedAgain() {
    PostgresEventStore store = TestPostgres.storage().eventStore();
    Event event = new Event("m-1", "compute.instance.create.end", T0,
        List.of(new Trait("k", TraitType.STRING, "v")), Map.of());
    loseCommitsOn("event_type");
    assertThatThrownBy(() -> store.write(List.of(event)).block(TIMEOUT)).isInstanceOf(StoreException.Unavailable.class);
    dropTriggers();

    assertThat(store.write(List.of(event)).block(TIMEOUT)).isEqualTo(1);
    assertThat(store.events(EventFilter.ALL, 10).map(Event::messageId).collectList().block(TIMEOUT)).containsExactly("m-1");
  }

  private static void assertSampleStoredAfterALostCommit() {
    PostgresSampleStore store = TestPostgres.storage().store();
    Sample sample = Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(1).resourceId("vm-1")
        .resourceMetadata(Map.of("flavor", "m1.small")).timestamp(T0).build();
    assertThatThrownBy(() -> store.write(List.of(sample)).block(TIMEOUT)).isInstanceOf(StoreException.Unavailable.class);
    dropTriggers();

    assertThat(store.write(List.of(sample)).block(TIMEOUT)).isEqualTo(1);
    assertThat(store.samples(SampleFilter.ALL, 10).map(Sample::resourceId).collectList().block(TIMEOUT))
        .containsExactly("vm-1");
  }

  /**
   * The dictionaries emptied behind the store's back (a restore, an operator's TRUNCATE) while it
   * holds their ids: the first write that meets the foreign key violation clears the caches and is
   * retried, instead of failing every later batch of those owners.
   */
  @Test
  void idsWhoseRowsWereRemovedBehindTheStoresBackAreResolvedAgain() {
    PostgresSampleStore store = TestPostgres.storage().store();
    Sample first = Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(1).resourceId("vm-1")
        .timestamp(T0).build();
    assertThat(store.write(List.of(first)).block(TIMEOUT)).isEqualTo(1);
    sql("TRUNCATE sample, series, rollup, resource_span, resource_metadata, resource, meter RESTART IDENTITY CASCADE",
        // other ids than the cached ones, so the stale ids cannot name the new rows by chance
        "SELECT setval(pg_get_serial_sequence('resource', 'id'), 1000)");

    Sample second = Sample.builder().meter("cpu").type(SampleType.GAUGE).unit("ns").volume(2).resourceId("vm-1")
        .timestamp(T0.plusSeconds(60)).build();
    assertThat(store.write(List.of(second)).block(TIMEOUT)).isEqualTo(1);
    assertThat(store.samples(SampleFilter.ALL, 10).map(Sample::volume).collectList().block(TIMEOUT)).containsExactly(2.0);
  }

  /** Every insert into {@code table} fails at its commit, after its rows were returned. */
  private static void loseCommitsOn(String table) {
    sql("""
        CREATE FUNCTION lose_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
        END $$""",
        "CREATE CONSTRAINT TRIGGER lose_commit AFTER INSERT ON " + table
            + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lose_commit()");
  }

  private static void sql(String... statements) {
    Mono.usingWhen(TestPostgres.storage().connectionFactory().create(),
            c -> Flux.fromArray(statements)
                .concatMap(s -> Flux.from(c.createStatement(s).execute()).flatMap(r -> r.getRowsUpdated()))
                .then(),
            Connection::close)
        .block(TIMEOUT);
  }
}
