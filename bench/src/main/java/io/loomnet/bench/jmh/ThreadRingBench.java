package io.loomnet.bench.jmh;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Runtimes;
import io.loomnet.bench.api.ThreadRing;
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

/** Workload 2: token hops per second around a ring of 503 actors (ring set-up and stop included). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ThreadRingBench {
    public static final int ACTORS = 503;
    public static final int HOPS = 500_000;

    @Param({"loomnet-virtual", "loomnet-platform", "loomnet-pooled", "pekko", "fibry", "jdk-vt"})
    public String runtime;

    private BenchRuntime rt;
    private ThreadRing workload;
    private Leaks leaks;

    @Setup(Level.Trial)
    public void open() {
        leaks = Leaks.snapshot();
        rt = Runtimes.open(runtime);
        workload = rt.threadRing();
    }

    @Benchmark
    @OperationsPerInvocation(HOPS)
    public long hops() throws Exception {
        long got = workload.run(ACTORS, HOPS);
        Check.equal(HOPS, got, "threadring token receptions");
        return got;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        rt.close();
        leaks.report("threadring/" + runtime);
    }
}
