package dev.altimeter.storage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A metered resource: owner and metadata from its newest sample, first and last sample time under
 * the query's filter, and the meters it has samples of (in first-seen order).
 */
public record Resource(String resourceId, String projectId, String userId, String source,
    Instant firstSampleTimestamp, Instant lastSampleTimestamp, Map<String, Object> metadata,
    List<String> meters) {}
