/** Python's text forms of JSON-shaped values, as Ceilometer produces them (signatures, definitions). */
package dev.altimeter.collector.python;
