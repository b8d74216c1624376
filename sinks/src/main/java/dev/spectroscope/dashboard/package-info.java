/**
 * The live dashboard and the Prometheus gauges: one group-less reader rebuilds every run's picture from the
 * topics' start ({@link dev.spectroscope.dashboard.BoardFeed} into {@link dev.spectroscope.dashboard.RunBoard});
 * the HTTP server serves the page (ECharts from its WebJar), the run data as JSON, new points as server-sent
 * events and {@code /metrics}.
 */
package dev.spectroscope.dashboard;
