package io.loomnet.bench.jmh;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.PingPong;
import io.loomnet.bench.api.Runtimes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Workload 1: messages per second over {@code pairs} ping-pong pairs. BenchMain overrides the run settings. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PingPongBench {
    /** Messages per operation, split evenly over the pairs. */
    public static final int MESSAGES = 200_000;

    @Param({"loomnet-virtual", "loomnet-platform", "loomnet-pooled", "pekko", "fibry", "jdk-vt"})
    public String runtime;

    @Param({"1", "16"})
    public int pairs;

    private BenchRuntime rt;
    private PingPong workload;
    private Leaks leaks;

    @Setup(Level.Trial)
    public void open() {
        leaks = Leaks.snapshot();
        rt = Runtimes.open(runtime);
        workload = rt.pingPong();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long messages() throws Exception {
        long got = workload.run(pairs, MESSAGES / pairs);
        Check.equal(MESSAGES, got, "pingpong messages received");
        return got;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        rt.close();
        leaks.report("pingpong/" + runtime);
    }
}
