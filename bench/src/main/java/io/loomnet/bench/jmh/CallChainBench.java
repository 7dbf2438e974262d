package io.loomnet.bench.jmh;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Check;
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

/** Workload 5: requests per second through 8 actors calling each other, each blocking 1 ms, 64 in flight. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CallChainBench {
    public static final int STAGES = 8;
    public static final int IN_FLIGHT = 64;
    public static final int REQUESTS = 128;
    public static final long BLOCK_MICROS = 1000;

    @Param({"loomnet-virtual", "loomnet-platform", "loomnet-pooled", "pekko", "fibry", "jdk-vt"})
    public String runtime;

    private BenchRuntime rt;
    private CallChain workload;
    private Leaks leaks;

    @Setup(Level.Trial)
    public void open() {
        leaks = Leaks.snapshot();
        rt = Runtimes.open(runtime);
        workload = rt.callChain();
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public long requests() throws Exception {
        long got = workload.run(STAGES, IN_FLIGHT, REQUESTS, BLOCK_MICROS);
        Check.equal(REQUESTS, got, "callchain correct replies");
        return got;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        rt.close();
        leaks.report("callchain/" + runtime);
    }
}
