package dev.altimeter.storage;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * The samples of a time range for assembling series ({@link SampleStore#range}): every condition
 * AND-ed, each set a value list ("one of"); a null set does not constrain its field, an empty set
 * matches nothing. Owner values are compared for equality, never as absent ({@code null} columns
 * match no value).
 *
 * @param start first timestamp included
 * @param end last timestamp included
 */
public record SampleRange(
    Set<String> meters,
    Set<String> resourceIds,
    Set<String> projectIds,
    Set<String> userIds,
    Set<String> sources,
    Instant start,
    Instant end) {

  public SampleRange {
    meters = copy(meters);
    resourceIds = copy(resourceIds);
    projectIds = copy(projectIds);
    userIds = copy(userIds);
    sources = copy(sources);
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }

  private static Set<String> copy(Set<String> values) {
    return values == null ? null : Set.copyOf(values);
  }

  /** True when a condition has no value left: nothing can match. */
  public boolean matchesNothing() {
    return empty(meters) || empty(resourceIds) || empty(projectIds) || empty(userIds) || empty(sources)
        || end.isBefore(start);
  }

  private static boolean empty(Set<String> s) {
    return s != null && s.isEmpty();
  }

  /** True when an owner column (resource, project, user, source) is constrained. */
  public boolean namesOwners() {
    return resourceIds != null || projectIds != null || userIds != null || sources != null;
  }
}
