/**
 * The science of Spectroscope, pure Java on ND4J and without Kafka: the model as a loss function,
 * localized SGLD, the LLC and density-of-states estimators, change-point detectors and the reference
 * models with known learning coefficients (SCIENCE.md). Filled in by the slt-core issue.
 */
package dev.spectroscope.slt;
