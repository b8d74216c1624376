package dev.spectroscope.slt.estimate;

import java.util.List;

/**
 * The density of states near w* read from a temperature ladder (SCIENCE.md §3).
 *
 * @param lambda             λ: intercept of s·E_s[t] = λ − (m − 1)/log s
 * @param lambdaStderr       its standard error (from the chain-to-chain spread)
 * @param multiplicity       m: one minus the slope, held at 1 (and λ at the rungs' weighted mean) where the free
 *                           line would put it below 1
 * @param multiplicityStderr its standard error
 * @param nBetas             the ladder s = nβ
 * @param meanEnergy         s·E_s[t] at each rung (each rung's LLC)
 * @param meanEnergyStderr   standard error of each rung's value
 * @param logDensityT        grid of t = L − L* for the log-density curve
 * @param logDensity         log v(t) up to a constant on that grid (WHAM over the ladder), max 0
 * @param curveLambda        λ read a second way, from the slope of log v(t) against log t at small t; NaN
 *                           when the curve has too few points
 * @param localizationShare  per rung, the share of (γ/2)·E‖w − w*‖² in the total energy; near 1 means the
 *                           localization, not the loss, shapes the samples
 * @param diagnostics        warnings
 * @param lambdaAcrossChains the sample standard deviation of λ read from each chain's rungs alone through the
 *                           same line (the chains' spread, as the LLC estimator reports it); NaN with one chain
 */
public record DosResult(double lambda, double lambdaStderr, double multiplicity, double multiplicityStderr,
                        double[] nBetas, double[] meanEnergy, double[] meanEnergyStderr, double[] logDensityT,
                        double[] logDensity, double curveLambda, double[] localizationShare,
                        boolean localizationDominated, List<String> diagnostics, double lambdaAcrossChains) {
}
