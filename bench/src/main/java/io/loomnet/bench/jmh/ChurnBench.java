package io.loomnet.bench.jmh;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Churn;
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

/** Workload 6: actors created, sent one message and stopped, per second. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChurnBench {
    public static final int ACTORS = 100_000;

    @Param({"loomnet-virtual", "loomnet-platform", "loomnet-pooled", "pekko", "fibry", "jdk-vt"})
    public String runtime;

    private BenchRuntime rt;
    private Churn workload;
    private Leaks leaks;

    @Setup(Level.Trial)
    public void open() {
        leaks = Leaks.snapshot();
        rt = Runtimes.open(runtime);
        workload = rt.churn();
    }

    @Benchmark
    @OperationsPerInvocation(ACTORS)
    public long actors() throws Exception {
        long got = workload.run(ACTORS);
        Check.equal(ACTORS, got, "churn actors handled and stopped");
        return got;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        rt.close();
        leaks.report("churn/" + runtime);
    }
}
