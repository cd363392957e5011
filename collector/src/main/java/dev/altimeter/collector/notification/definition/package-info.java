/**
 * Ceilometer's declarative definitions, read as Ceilometer reads them: {@link
 * dev.altimeter.collector.notification.definition.MeterDefinitions} (meters.yaml: notification to
 * samples) and {@link dev.altimeter.collector.notification.definition.EventDefinitions}
 * (event_definitions.yaml: notification to an event with typed traits). Paths are jsonpath-rw-ext
 * expressions evaluated by a small evaluator of our own ({@code JsonPath}: {@code JsonPathLexer},
 * {@code JsonPathParser} and the nodes) that implements exactly the dialect those files use; values
 * follow Python's rules ({@link dev.altimeter.collector.python.Values}). An invalid definition is skipped (or, loading strictly, fails the
 * load) with a {@link dev.altimeter.collector.config.ConfigException} naming file, line and field.
 */
package dev.altimeter.collector.notification.definition;
