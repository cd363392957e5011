package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.SampleStoreTestKit;
import dev.altimeter.storage.Statistics;
import dev.altimeter.storage.TestPostgres;
import reactor.core.publisher.Flux;

class PostgresSampleStoreTest extends SampleStoreTestKit {
  @Override
  protected SampleStore store() {
    return TestPostgres.storage().store();
  }

  @Override
  protected Flux<Statistics> statisticsFromSamples(Statistics.Query query) {
    return TestPostgres.storage().store().statisticsFromSamples(query);
  }

  @Override
  protected void clear() {
    TestPostgres.truncate();
  }
}
