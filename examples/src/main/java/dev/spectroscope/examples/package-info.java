/**
 * Real DL4J training jobs that use the agent (TMS, DLN, modular addition). Filled in by the
 * producer-agent issue.
 */
package dev.spectroscope.examples;
