package io.loomnet.bench.report;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.format.OutputFormat;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Wraps JMH's normal output (which goes to the run's jmh.log) and prints one short progress line
 * per benchmark to the console: which workload and runtime, warm-up and measurement iterations
 * as they pass, the result, and the time spent and an estimate of the time left.
 */
public final class Progress implements OutputFormat {
    private final OutputFormat log;
    private final PrintStream console;
    private final long start = System.nanoTime();
    private final Set<String> failed = new HashSet<>();
    private final Map<String, String> units;
    private int total;
    private int done;
    private String current;

    /** {@code units}: the unit to print for each benchmark class name, instead of JMH's ops/s. */
    public Progress(OutputFormat log, PrintStream console, int total, Map<String, String> units) {
        this.log = log;
        this.units = units;
        this.console = console;
        this.total = total;
    }

    /** Benchmarks (workload x runtime x parameters) whose trial failed, as "benchmark runtime params". */
    public Set<String> failed() {
        return failed;
    }

    public static String key(BenchmarkParams p) {
        String bench = p.getBenchmark();
        bench = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
        StringBuilder sb = new StringBuilder(bench);
        for (String k : p.getParamsKeys()) {
            sb.append(' ').append(k).append('=').append(p.getParam(k));
        }
        return sb.toString();
    }

    private String clock() {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        String elapsed = String.format("%d:%02d", s / 60, s % 60);
        if (done == 0) {
            return elapsed;
        }
        long left = s * (total - done) / done;
        return String.format("%s, ~%d:%02d left", elapsed, left / 60, left % 60);
    }

    @Override
    public void startBenchmark(BenchmarkParams params) {
        current = key(params);
        console.printf("[%2d/%d %s] %-48s ", done + 1, total, clock(), current);
        console.flush();
        log.startBenchmark(params);
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
        console.print(params.getType() == IterationType.WARMUP ? "w" : "m");
        console.flush();
        log.iteration(benchParams, params, iteration);
    }

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration,
                                IterationResult data) {
        log.iterationResult(benchParams, params, iteration, data);
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        done++;
        if (result == null || result.getIterationResults().isEmpty() || failed.contains(current)) {
            failed.add(current);
            console.println(" FAILED (see jmh.log)");
        } else {
            Result<?> r = result.getPrimaryResult();
            String bench = result.getParams().getBenchmark();
            String unit = units.getOrDefault(bench.substring(0, bench.lastIndexOf('.')), r.getScoreUnit());
            console.printf(" %s %s%n", Figure.format(r.getScore()), unit);
        }
        console.flush();
        log.endBenchmark(result);
    }

    @Override
    public void startRun() {
        log.startRun();
    }

    @Override
    public void endRun(Collection<RunResult> result) {
        log.endRun(result);
    }

    @Override
    public void print(String s) {
        log.print(s);
    }

    @Override
    public void println(String s) {
        if (s != null && s.contains("<failure>") && current != null) {
            failed.add(current);
        }
        log.println(s);
    }

    @Override
    public void flush() {
        log.flush();
        console.flush();
    }

    @Override
    public void close() {
        // One Progress spans several JMH runs; BenchMain closes the log itself at the end.
        log.flush();
    }

    @Override
    public void verbosePrintln(String s) {
        log.verbosePrintln(s);
    }

    @Override
    public void write(int b) {
        log.write(b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        log.write(b);
    }
}
