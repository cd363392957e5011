package dev.altimeter.storage;

/**
 * A meter as the API lists it: one per (meter definition (name, type, unit), resource id), taken
 * from the newest sample of that pair. With {@code unique=true} listings, resource, project, user
 * and source are {@code null}.
 */
public record Meter(String name, SampleType type, String unit, String resourceId, String projectId,
    String userId, String source) {}
