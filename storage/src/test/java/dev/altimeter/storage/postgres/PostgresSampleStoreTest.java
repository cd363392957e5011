package dev.altimeter.storage.postgres;

import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.SampleStoreTestKit;
import dev.altimeter.storage.TestPostgres;

class PostgresSampleStoreTest extends SampleStoreTestKit {
  @Override
  protected SampleStore store() {
    return TestPostgres.storage().store();
  }

  @Override
  protected void clear() {
    TestPostgres.truncate();
  }
}
