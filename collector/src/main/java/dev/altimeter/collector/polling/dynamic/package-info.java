/**
 * Ceilometer's dynamic pollsters: definitions ({@link
 * dev.altimeter.collector.polling.dynamic.DynamicPollsterDefinition}) of an HTTP API whose JSON
 * answer becomes samples, attributes as key paths followed by {@code |} operations (Python
 * expressions of {@code value}, in the kernel's dialect {@code Operation.DIALECT}). See
 * docs/polling.md.
 */
package dev.altimeter.collector.polling.dynamic;
