/**
 * The run archive: every event of every run in per-run Avro object-container files that Avro's own tools
 * read ({@code <dir>/<run>/events-000001.avro}, one union schema of all event types, rolled by size), the
 * sink that writes it and the reader that {@code inspect} and {@code replay} use.
 */
package dev.spectroscope.archive;
