package dev.altimeter.collector.polling;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/** A test pollster: one gauge sample of value 1 per owned resource (or {@code perCycle} for its host), recording cycles. */
public final class CountingPollster implements Pollster {
  final String name;
  final List<String> meters;
  final List<String> resources;
  final int perCycle;
  public final List<PollCycle> cycles = new CopyOnWriteArrayList<>();
  volatile Function<PollCycle, Flux<Sample>> override;

  public CountingPollster(String name, List<String> meters, List<String> resources, int perCycle) {
    this.name = name;
    this.meters = meters;
    this.resources = resources;
    this.perCycle = perCycle;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> meterNames() {
    return meters;
  }

  @Override
  public List<String> defaultResources() {
    return resources;
  }

  @Override
  public boolean partitioned() {
    return !resources.isEmpty();
  }

  @Override
  public Flux<Sample> poll(PollCycle cycle) {
    cycles.add(cycle);
    if (override != null) return override.apply(cycle);
    List<Sample> out = new ArrayList<>();
    List<String> targets = cycle.resources().isEmpty() ? List.of("host") : cycle.resources();
    for (String r : targets) {
      for (int i = 0; i < perCycle; i++) {
        String meter = meters.isEmpty() ? name : meters.get(i % meters.size());
        out.add(Sample.builder().meter(meter).type(SampleType.GAUGE).unit("1").volume(1).resourceId(r)
            .timestamp(cycle.timestamp()).messageId(cycle.messageId(meter, r, Integer.toString(i))).build());
      }
    }
    return Flux.fromIterable(out);
  }
}
