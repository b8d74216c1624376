/** Benchmarks that anyone can run; each prints a table of ratios measured in one run. */
package dev.spectroscope.bench;
