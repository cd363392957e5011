package dev.altimeter.deploy;

import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The annotated configuration or bean is loaded only when this process runs the store (PostgreSQL:
 * the embedded server or {@code spring.r2dbc.url}, its connection pool, the Flyway migrations), or,
 * with {@code value = false}, only when it does not.
 *
 * <p>Decided once per start-up, before any bean exists, from the roles and the sample pipeline as
 * the process starts with it. The store runs when
 * <ul>
 *   <li>a role reads or writes it: {@code api}, {@code notification} (its event pipelines and meters
 *       end in {@code database://} by default), {@code expirer};
 *   <li>the polling role partitions its work ({@code altimeter.polling.partitioning}: the members
 *       are kept in the database);
 *   <li>pipeline.yaml ({@code altimeter.pipeline.file}, or the built-in one, which does) has a sink
 *       publishing to {@code database://}.
 * </ul>
 * So a polling agent whose pipeline publishes to {@code notifier://} (or http, udp, tcp, prometheus)
 * opens no database connection and starts no embedded PostgreSQL. A later reload of pipeline.yaml
 * that adds {@code database://} is rejected (the running pipelines keep going): the store is not
 * started after the fact; restart the process.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(ConditionalOnStore.StoreCondition.class)
@interface ConditionalOnStore {
  /** true: loaded when the process runs the store; false: when it does not. */
  boolean value() default true;

  final class StoreCondition extends SpringBootCondition {
    private static final List<AltimeterProperties.Role> STORE_ROLES = List.of(AltimeterProperties.Role.API,
        AltimeterProperties.Role.NOTIFICATION, AltimeterProperties.Role.EXPIRER);
    /** Why a process runs without the store, in logs, readiness and the refusal of database://. */
    static final String NOT_NEEDED = "no role of this process needs it and pipeline.yaml publishes to no database://";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      boolean wanted = (Boolean) metadata.getAnnotationAttributes(ConditionalOnStore.class.getName()).get("value");
      String reason = reason(context.getEnvironment());
      String message = reason != null ? "the store runs: " + reason : "no store: " + NOT_NEEDED;
      return new ConditionOutcome((reason != null) == wanted, message);
    }

    /** Why this process runs the store (role, setting, or file:line of the sink), or null when nothing needs it. */
    static String reason(Environment environment) {
      Set<AltimeterProperties.Role> roles = ConditionalOnRole.RoleCondition.roles(environment);
      for (AltimeterProperties.Role role : STORE_ROLES) {
        if (roles.contains(role)) return "role " + role.name().toLowerCase(Locale.ROOT);
      }
      Binder binder = Binder.get(environment);
      if (roles.contains(AltimeterProperties.Role.POLLING)
          && binder.bind("altimeter.polling.partitioning", Boolean.class).orElse(false)) {
        return "altimeter.polling.partitioning=true (its members are kept in the database)";
      }
      PipelineConfig config;
      try {
        config = PipelineConfiguration.load(binder.bind("altimeter.pipeline.file", Path.class).orElse(null),
            "altimeter/pipeline.yaml", PipelineConfig.Kind.SAMPLE, PipelineConfiguration.serviceSchemes());
      } catch (RuntimeException e) {
        // The pipeline bean reads the same file and stops the start-up with file, line and rule; no store meanwhile.
        return null;
      }
      for (PipelineConfig.Pipeline pipeline : config.pipelines()) {
        for (PublisherUrl url : pipeline.sink().publishers()) {
          if (url.scheme().equals(PipelineConfiguration.DATABASE)) {
            return config.file() + ":" + pipeline.sink().line() + ": sink '" + pipeline.sink().name()
                + "' publishes to database://";
          }
        }
      }
      return null;
    }
  }
}
