package dev.spectroscope.cli;

import dev.spectroscope.slt.estimate.Calibration;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.reference.DeepLinearNetwork;
import dev.spectroscope.slt.reference.NormalCrossing;
import dev.spectroscope.slt.reference.ReferenceDefaults;
import dev.spectroscope.slt.sampler.SgldSettings;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code spectroscope calibrate}: the ε × nβ sweep that shows where λ̂ is flat. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Sweep step size × temperature; show where the LLC is flat.",
        subcommands = {CalibrateCommand.Dln.class, CalibrateCommand.NormalCrossing.class})
final class CalibrateCommand {

    @Option(names = "--epsilons", split = ",", scope = picocli.CommandLine.ScopeType.INHERIT,
            defaultValue = "1e-6,1e-5,1e-4,1e-3,1e-2", description = "Step sizes to try (default: ${DEFAULT-VALUE}).")
    double[] epsilons;

    @Option(names = "--nbeta-multipliers", split = ",", scope = picocli.CommandLine.ScopeType.INHERIT,
            defaultValue = "0.01,0.1,1,10,100,1000",
            description = "Multiples of n/log n to try (default: ${DEFAULT-VALUE}).")
    double[] multipliers;

    @Option(names = "--draws", defaultValue = "5000", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Draws (and burn-in steps) per chain in each cell (default: ${DEFAULT-VALUE}).")
    int draws;

    @Option(names = "--chains", defaultValue = "2", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Chains per cell (default: ${DEFAULT-VALUE}).")
    int chains;

    @Option(names = "--seed", defaultValue = "7", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Command(name = "dln", mixinStandardHelpOptions = true, description = "Sweep on a deep linear network.")
    static final class Dln implements Callable<Integer> {
        @ParentCommand
        CalibrateCommand parent;

        @Option(names = "--widths", required = true, split = ",", description = "Widths, e.g. 5,3,5.")
        int[] widths;

        @Option(names = "--rank", required = true, description = "Rank of the teacher.")
        int rank;

        @Override
        public Integer call() {
            DeepLinearNetwork dln = new DeepLinearNetwork(widths, rank, ReferenceDefaults.DLN_SAMPLES,
                    ReferenceDefaults.DLN_NOISE, parent.seed);
            return parent.sweep(dln, dln.truth().lambdaValue(), ReferenceDefaults.deepLinearNetwork(parent.seed));
        }
    }

    @Command(name = "normal-crossing", mixinStandardHelpOptions = true, description = "Sweep on a normal crossing.")
    static final class NormalCrossing implements Callable<Integer> {
        @ParentCommand
        CalibrateCommand parent;

        @Option(names = "--k", required = true, split = ",", description = "Exponents k_i.")
        int[] k;

        @Option(names = "--h", split = ",", description = "Prior powers h_i (default: all 0).")
        int[] h;

        @Override
        public Integer call() {
            dev.spectroscope.slt.reference.NormalCrossing nc = new dev.spectroscope.slt.reference.NormalCrossing(k,
                    h == null ? new int[k.length] : h, ReferenceDefaults.NORMAL_CROSSING_SAMPLES);
            return parent.sweep(nc, nc.truth().lambdaValue(), ReferenceDefaults.normalCrossing(parent.seed),
                    ReferenceDefaults.NORMAL_CROSSING_LADDER);
        }
    }

    int sweep(LossModel model, double truth, SgldSettings defaults) {
        return sweep(model, truth, defaults, new double[] {1.0});
    }

    /** @param ladder the family's ladder (each cell samples it, its own nβ at multiplier 1) */
    int sweep(LossModel model, double truth, SgldSettings defaults, double[] ladder) {
        SgldSettings base = defaults.withDraws(draws, draws).withChains(chains);
        Calibration.Grid grid = Calibration.sweep(model, base, epsilons, multipliers, ladder, 2);
        System.out.printf(Locale.ROOT, "%s: λ̂ over ε (rows) × nβ (columns, multiples of n/log n = %.4g); true λ = %.4g%n",
                model.describe(), grid.baseNBeta(), truth);
        System.out.println("  * flat and healthy (within 10% of every neighbour, acceptance ≥ 0.8), [ ] recommended");
        System.out.printf("%10s", "ε \\ nβ×");
        for (double m : grid.nBetaMultipliers()) {
            System.out.printf(Locale.ROOT, "%12s", m);
        }
        System.out.println();
        for (int i = 0; i < grid.epsilons().length; i++) {
            System.out.printf(Locale.ROOT, "%10.0e", grid.epsilons()[i]);
            for (int j = 0; j < grid.nBetaMultipliers().length; j++) {
                boolean recommended = i == grid.recommendedEpsilon() && j == grid.recommendedNBeta();
                String cell = Double.isFinite(grid.lambda()[i][j]) ? String.format(Locale.ROOT, "%.4g", grid.lambda()[i][j])
                        : "diverged";
                cell = (recommended ? "[" : " ") + cell + (grid.flat()[i][j] ? "*" : " ") + (recommended ? "]" : " ");
                System.out.printf("%12s", cell);
            }
            System.out.println();
        }
        if (grid.recommendedEpsilon() < 0) {
            System.out.println("No flat, healthy region: draw more (--draws) or widen the grid.");
        } else {
            System.out.printf(Locale.ROOT, "Recommended: ε = %.0e, nβ = %.4g (%s × n/log n)%n",
                    grid.epsilons()[grid.recommendedEpsilon()],
                    grid.baseNBeta() * grid.nBetaMultipliers()[grid.recommendedNBeta()],
                    grid.nBetaMultipliers()[grid.recommendedNBeta()]);
        }
        return 0;
    }
}
