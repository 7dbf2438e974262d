package io.loomnet.bench.jmh;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Runtimes;
import io.loomnet.bench.api.Skynet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Workload 4: time for one Skynet 1M tree (1,111,111 actors), one tree per single-shot iteration.
 * Peak heap comes from {@link HeapPeakProfiler}, which BenchMain attaches to this benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class SkynetBench {
    public static final int LEAVES = 1_000_000;
    public static final int BRANCHING = 10;

    @Param({"loomnet-virtual", "loomnet-platform", "loomnet-pooled", "pekko", "fibry", "jdk-vt"})
    public String runtime;

    private BenchRuntime rt;
    private Skynet workload;
    private Leaks leaks;

    @Setup(Level.Trial)
    public void open() {
        leaks = Leaks.snapshot();
        rt = Runtimes.open(runtime);
        workload = rt.skynet();
    }

    @Benchmark
    public long tree() throws Exception {
        long got = workload.run(LEAVES, BRANCHING);
        Check.equal(Check.skynetSum(LEAVES), got, "skynet sum");
        return got;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        rt.close();
        leaks.report("skynet/" + runtime);
    }
}
