package io.loomnet.bench.loomnet;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.RemoteCall;
import io.loomnet.bench.api.RemoteTell;
import io.loomnet.bench.api.Runtimes;

import java.util.Arrays;

/**
 * A small standalone driver for profiling one workload outside JMH, for example with JFR:
 * {@code java -XX:StartFlightRecording=filename=x.jfr,settings=profile -cp bench/target/benchmarks.jar
 * io.loomnet.bench.loomnet.Driver loomnet-virtual pingpong1 20}. Runs the workload at the JMH size
 * repeatedly for the given number of seconds on one runtime and prints the rate of each round.
 * Not used by the benchmark run.
 */
public final class Driver {
    private Driver() {
    }

    @SuppressWarnings("try") // BenchRuntime.close() may throw InterruptedException; main reports it
    public static void main(String[] args) throws Exception {
        String runtime = args[0];
        String workload = args[1];
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        try (BenchRuntime rt = Runtimes.open(runtime)) {
            RemoteTell tell = workload.equals("remote-tell") ? rt.remoteTell(100) : null;
            RemoteCall call = workload.equals("remote-call") ? rt.remoteCall(100) : null;
            try {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    double ops;
                    String unit;
                    switch (workload) {
                        case "pingpong1" -> {
                            Check.equal(200_000, rt.pingPong().run(1, 200_000), "pingpong");
                            ops = 200_000;
                            unit = "msgs/s";
                        }
                        case "pingpong16" -> {
                            Check.equal(200_000, rt.pingPong().run(16, 12_500), "pingpong");
                            ops = 200_000;
                            unit = "msgs/s";
                        }
                        case "threadring" -> {
                            Check.equal(500_000, rt.threadRing().run(503, 500_000), "threadring");
                            ops = 500_000;
                            unit = "hops/s";
                        }
                        case "fanin" -> {
                            Check.equal(Check.fanInSum(32, 31_250), rt.fanIn().run(32, 31_250), "fanin");
                            ops = 1_000_000;
                            unit = "msgs/s";
                        }
                        case "skynet" -> {
                            Check.equal(Check.skynetSum(1_000_000), rt.skynet().run(1_000_000, 10), "skynet");
                            ops = 1;
                            unit = "trees/s";
                        }
                        case "callchain" -> {
                            Check.equal(128, rt.callChain().run(8, 64, 128, 1000), "callchain");
                            ops = 128;
                            unit = "req/s (max in one stage at once: " + LoomnetCallChain.lastMaxInFlight + ")";
                        }
                        case "churn" -> {
                            Check.equal(100_000, rt.churn().run(100_000), "churn");
                            ops = 100_000;
                            unit = "actors/s";
                        }
                        case "remote-tell" -> {
                            Check.equal(200_000, tell.run(200_000), "remote-tell");
                            ops = 200_000;
                            unit = "msgs/s";
                        }
                        case "remote-call" -> {
                            long[] lat = new long[2_000];
                            for (int i = 0; i < lat.length; i++) {
                                long s = System.nanoTime();
                                call.call();
                                lat[i] = System.nanoTime() - s;
                            }
                            Arrays.sort(lat);
                            System.out.printf("remote-call p50 %.1f us, p99 %.1f us%n", lat[lat.length / 2] / 1e3,
                                    lat[lat.length * 99 / 100] / 1e3);
                            continue;
                        }
                        default -> throw new IllegalArgumentException("unknown workload " + workload);
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("%s %s: %.0f ms, %.3g %s%n", runtime, workload, s * 1e3, ops / s, unit);
                }
            } finally {
                if (tell != null) {
                    tell.close();
                }
                if (call != null) {
                    call.close();
                }
            }
        }
    }
}
