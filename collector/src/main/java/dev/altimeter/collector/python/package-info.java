/**
 * The Python subset Ceilometer's files are written in, in one place: {@link
 * dev.altimeter.collector.python.Expression} (lexer, parser and evaluator, with a {@link
 * dev.altimeter.collector.python.Dialect} per use: pipeline transformers, dynamic pollsters),
 * {@link dev.altimeter.collector.python.Values} (truthiness, equality, ordering, arithmetic, {@code
 * int()} / {@code float()}, also used by the notification definitions). {@code str()} / {@code
 * repr()} is core's {@link dev.altimeter.wire.PythonText}, shared with signatures and the API.
 */
package dev.altimeter.collector.python;
