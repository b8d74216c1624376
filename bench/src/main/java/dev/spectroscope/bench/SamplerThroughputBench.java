package dev.spectroscope.bench;

import dev.spectroscope.slt.dl4j.Dl4jNetworkModel;
import dev.spectroscope.slt.mlp.Nd4jMlp;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.reference.DeepLinearNetwork;
import dev.spectroscope.slt.sampler.LocalizedSgld;
import dev.spectroscope.slt.sampler.Preconditioner;
import dev.spectroscope.slt.sampler.SgldSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * SGLD steps per second against the model's own loss+gradient evaluations per second, for a reference
 * model and a 16-96-96-1 ReLU MLP (11,041 parameters) at batch 256 — through the lean ND4J path and
 * through DL4J's layer stack — and, in the same run, a PyTorch forward+backward of that MLP (Debian's
 * python3-torch) for the ratio. {@code bench/run sampler-throughput [--seconds S]}
 */
public final class SamplerThroughputBench {

    private static final int BATCH = 256;

    private SamplerThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length == 2 && args[0].equals("--seconds") ? Double.parseDouble(args[1]) : 3;
        int n = 20_000;
        int[] widths = {16, 96, 96, 1};
        float[] x = new float[n * 16];
        float[] y = new float[n];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = (float) random.nextGaussian();
        }
        MultiLayerNetwork dl4j = dl4jMlp();
        Nd4jMlp lean = Nd4jMlp.fromDl4j(dl4j, x, y);
        Dl4jNetworkModel viaDl4j = Dl4jNetworkModel.of(dl4j, Nd4j.createFromArray(x).reshape(n, 16),
                Nd4j.createFromArray(y).reshape(n, 1));
        DeepLinearNetwork dln = new DeepLinearNetwork(new int[] {10, 5, 10}, 2, n, 1.0, 3);

        System.out.printf("%-44s %14s %14s %12s %12s%n", "model (batch 256)", "eval ms", "SGLD step ms", "overhead",
                "steps/s");
        double leanStep = row("mlp 16-96-96-1, lean ND4J path", lean, seconds);
        row("mlp 16-96-96-1, DL4J layer stack", viaDl4j, seconds);
        row("dln [10,5,10] rank 2 (plain Java)", dln, seconds);
        double torch = pytorchForwardBackwardMs(seconds);
        if (Double.isNaN(torch)) {
            System.out.println("PyTorch: not available (apt-get install python3-torch); no ratio");
        } else {
            System.out.printf(Locale.ROOT, "PyTorch forward+backward, same MLP and batch, 1 thread: %.3f ms%n", torch);
            System.out.printf(Locale.ROOT, "Spectroscope SGLD step / PyTorch forward+backward = %.2f (goal: below 4.4, "
                    + "beyond it 2)%n", leanStep / torch);
        }
    }

    private static MultiLayerNetwork dl4jMlp() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(16).nOut(96).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(96).nOut(96).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(96).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Times the evaluator alone, then SGLD steps on the same model; returns the SGLD step in ms. */
    private static double row(String name, LossModel model, double seconds) {
        LossModel.Evaluator e = model.newEvaluator();
        double[] w = model.center();
        double[] g = new double[w.length];
        // Fresh random minibatches, as the sampler draws them: a fixed batch would sit in cache and flatter
        // the evaluation against the sampler.
        int[][] batches = new int[64][BATCH];
        SplittableRandom random = new SplittableRandom(5);
        for (int[] batch : batches) {
            for (int i = 0; i < BATCH; i++) {
                batch[i] = random.nextInt(model.sampleCount());
            }
        }
        long deadline = System.nanoTime() + (long) (seconds * 0.3e9);
        int evals = 0;
        while (System.nanoTime() < deadline) {
            e.lossAndGradient(w, batches[evals++ & 63], BATCH, g);
        }
        evals = 0;
        long t0 = System.nanoTime();
        deadline = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            e.lossAndGradient(w, batches[evals & 63], BATCH, g);
            evals++;
        }
        double evalMs = (System.nanoTime() - t0) / 1e6 / evals;
        int steps = Math.max(100, evals);
        // MALA is measured every 20 steps, as the defaults do: its extra evaluation is part of the cost.
        SgldSettings s = new SgldSettings(1e-6, 1, 100, BATCH, 1, steps, 0, 1, 1, Preconditioner.NONE, 20);
        LocalizedSgld sgld = new LocalizedSgld(model, s);
        sgld.run(model.newEvaluator(), w, 1.0, 100, 0, 0);
        long t1 = System.nanoTime();
        sgld.run(model.newEvaluator(), w, 1.0, 100, 0, 0);
        double stepMs = (System.nanoTime() - t1) / 1e6 / steps;
        System.out.printf(Locale.ROOT, "%-44s %14.4f %14.4f %11.1f%% %12.0f%n", name, evalMs, stepMs,
                100 * (stepMs / evalMs - 1), 1000 / stepMs);
        return stepMs;
    }

    private static double pytorchForwardBackwardMs(double seconds) {
        String script = String.join("\n",
                "import time, torch",
                "torch.set_num_threads(1)",
                "m = torch.nn.Sequential(torch.nn.Linear(16, 96), torch.nn.ReLU(), torch.nn.Linear(96, 96),",
                "                        torch.nn.ReLU(), torch.nn.Linear(96, 1))",
                "x = torch.randn(256, 16); y = torch.randn(256, 1)",
                "def step():",
                "    m.zero_grad(); l = 0.5 * ((m(x) - y) ** 2).mean(); l.backward()",
                "end = time.perf_counter() + " + seconds * 0.3,
                "while time.perf_counter() < end: step()",
                "n = 0; t = time.perf_counter(); end = t + " + seconds,
                "while time.perf_counter() < end: step(); n += 1",
                "print((time.perf_counter() - t) / n * 1e3)");
        for (String python : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(python, "-c", script).redirectErrorStream(true).start();
                String out;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    out = r.lines().reduce("", (a, b) -> b);
                }
                if (p.waitFor() == 0) {
                    return Double.parseDouble(out.strip());
                }
            } catch (Exception e) {
                // try the next interpreter
            }
        }
        return Double.NaN;
    }
}
