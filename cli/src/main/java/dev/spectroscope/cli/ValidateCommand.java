package dev.spectroscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectroscope.slt.reference.DeepLinearNetwork;
import dev.spectroscope.slt.reference.Validation;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code spectroscope validate}: the estimators against a model whose learning coefficient is known. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check the LLC estimator on a model with a known answer.",
        subcommands = {ValidateCommand.Dln.class, ValidateCommand.NormalCrossing.class})
final class ValidateCommand {

    @Option(names = "--seed", defaultValue = "7", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Seed of the teacher, the data and the chains (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--threads", defaultValue = "2", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Chains run at once (default: ${DEFAULT-VALUE}).")
    int threads;

    @Command(name = "dln", mixinStandardHelpOptions = true,
            description = "Deep linear network (reduced-rank regression for two layers) against Aoyagi's λ.")
    static final class Dln implements Callable<Integer> {
        @ParentCommand
        ValidateCommand parent;

        @Option(names = "--widths", required = true, split = ",",
                description = "Widths H_0 (inputs), H_1, ..., H_L (outputs), e.g. 5,3,5.")
        int[] widths;

        @Option(names = "--rank", required = true, description = "Rank of the teacher's map.")
        int rank;

        @Option(names = "--centre", defaultValue = "singular",
                description = "Where on the minimum set to centre the chains: singular (every layer of rank r, "
                        + "where the local coefficient is Aoyagi's λ) or trained (where training from PyTorch's "
                        + "default initialisation ends; its local coefficient can be larger). Default: ${DEFAULT-VALUE}.")
        DeepLinearNetwork.Centre centre;

        @Override
        public Integer call() {
            return parent.print(Validation.deepLinearNetwork(widths, rank, centre, parent.seed, parent.threads));
        }
    }

    @Command(name = "normal-crossing", mixinStandardHelpOptions = true,
            description = "K(w) = Π w_i^(2k_i) with prior Π |w_i|^(h_i) against λ = min (h_i+1)/(2k_i).")
    static final class NormalCrossing implements Callable<Integer> {
        @ParentCommand
        ValidateCommand parent;

        @Option(names = "--k", required = true, split = ",", description = "Exponents k_i, e.g. 1,2.")
        int[] k;

        @Option(names = "--h", split = ",", description = "Prior powers h_i (default: all 0).")
        int[] h;

        @Override
        public Integer call() {
            int[] powers = h == null ? new int[k.length] : h;
            if (powers.length != k.length) {
                throw new IllegalArgumentException("--h has " + powers.length + " values but --k has " + k.length);
            }
            return parent.print(Validation.normalCrossing(k, powers, parent.seed, parent.threads));
        }
    }

    int print(Validation.Report r) {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("model", r.model());
            o.put("lambda_true", r.truth().lambdaValue());
            o.put("lambda_true_fraction", r.truth().lambda().getNumerator() + "/" + r.truth().lambda().getDenominator());
            o.put("m_true", r.truth().multiplicity());
            o.put("lambda_hat", r.lambdaHat());
            o.put("lambda_hat_std", r.lambdaHatStd());
            o.put("relative_error", r.relativeError());
            // λ̂ is the ladder's line through its rungs (intercept λ, slope −(m−1)) where the ladder is long enough,
            // else the LLC at one temperature; the LLC at nβ = n/log n (the ladder's anchor) is given either way.
            o.put("estimate", r.fromLadder() ? "ladder line" : "one temperature");
            o.put("lambda_rung", r.lambdaRung());
            o.put("lambda_rung_std", r.lambdaRungStd());
            o.put("nbeta_rung", r.nBetaRung());
            if (!Double.isNaN(r.exactAtNBeta())) {
                // What a perfect sampler would give at this nβ: the estimator's own finite-nβ value.
                o.put("lambda_exact_at_nbeta", r.exactAtNBeta());
                o.put("sampler_error", r.samplerError());
            }
            o.put("lambda_ladder", r.lambdaLadder());
            o.put("lambda_ladder_std", r.lambdaLadderStd());
            o.put("m_hat", r.mHat());
            o.put("m_hat_std", r.mHatStd());
            o.put("chains", r.chains());
            o.put("draws", r.draws());
            o.put("seconds", r.seconds());
            o.put("sgld_steps_per_second", r.sgldStepsPerSecond());
            if (!Double.isNaN(r.swapAcceptance())) {
                // Replica exchange across the ladder: the lowest share of swaps accepted between neighbours.
                o.put("swap_acceptance", r.swapAcceptance());
            }
            if (!Double.isNaN(r.symmetryAcceptance())) {
                // Moves along the loss-preserving symmetries (a deep linear network's basis changes).
                o.put("symmetry_acceptance", r.symmetryAcceptance());
            }
            if (r.ladder() != null) {
                var rungs = o.putArray("rungs");
                for (int k = 0; k < r.ladder().nBetas().length; k++) {
                    ObjectNode rung = rungs.addObject();
                    rung.put("nbeta", r.ladder().nBetas()[k]);
                    rung.put("lambda_hat", r.ladder().meanEnergy()[k]);
                    rung.put("lambda_hat_stderr", r.ladder().meanEnergyStderr()[k]);
                    rung.put("localization_share", r.ladder().localizationShare()[k]);
                }
            }
            var diagnostics = o.putArray("diagnostics");
            r.diagnostics().forEach(diagnostics::add);
            System.out.println(o.toString());
        } else {
            System.out.println(r.model());
            System.out.printf(Locale.ROOT, "  true      λ = %s = %.4f, m = %d%n", r.truth().lambda(), r.truth().lambdaValue(),
                    r.truth().multiplicity());
            System.out.printf(Locale.ROOT, "  estimate  λ̂ = %.4f ± %.4f (%+.1f%%), %s, %d chains × %d draws%n",
                    r.lambdaHat(), r.lambdaHatStd(), 100 * r.relativeError(),
                    r.fromLadder() ? "the ladder's line over " + r.ladder().nBetas().length + " rungs" : "one temperature",
                    r.chains(), r.draws());
            if (r.fromLadder()) {
                System.out.printf(Locale.ROOT, "  at nβ = %.4g alone: λ̂ = %.4f ± %.4f (%+.1f%%)%n", r.nBetaRung(),
                        r.lambdaRung(), r.lambdaRungStd(), 100 * (r.lambdaRung() / r.truth().lambdaValue() - 1));
            }
            if (!Double.isNaN(r.exactAtNBeta())) {
                System.out.printf(Locale.ROOT, "  exact at this nβ: %.4f (%+.1f%% of λ: the estimator's own bias); "
                        + "the LLC there is %+.1f%% of it (the sampler's error)%n", r.exactAtNBeta(),
                        100 * (r.exactAtNBeta() / r.truth().lambdaValue() - 1), 100 * r.samplerError());
            }
            System.out.printf(Locale.ROOT, "  ladder    λ = %.4f ± %.4f, m̂ = %.2f ± %.2f%n", r.lambdaLadder(),
                    r.lambdaLadderStd(), r.mHat(), r.mHatStd());
            if (!Double.isNaN(r.swapAcceptance())) {
                System.out.printf(Locale.ROOT, "  replica exchange: at least %.0f%% of swaps accepted between "
                        + "neighbouring rungs%n", 100 * r.swapAcceptance());
            }
            if (!Double.isNaN(r.symmetryAcceptance())) {
                System.out.printf(Locale.ROOT, "  symmetry moves: %.0f%% accepted%n", 100 * r.symmetryAcceptance());
            }
            System.out.printf(Locale.ROOT, "  %.1f s, %.0f SGLD steps/s%n", r.seconds(), r.sgldStepsPerSecond());
            r.diagnostics().forEach(d -> System.out.println("  ! " + d));
        }
        return 0;
    }
}
