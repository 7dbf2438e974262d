package io.loomnet.bench.jmh;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.RemoteCall;
import io.loomnet.bench.api.Runtimes;
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
 * Workload 7b: latency of one call with a 100-byte payload between two nodes over TCP on loopback;
 * JMH samples every call, so the result carries p50 and p99.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RemoteCallBench {
    public static final int PAYLOAD_BYTES = 100;

    @Param({"loomnet-virtual", "loomnet-platform", "loomnet-pooled", "zmq-raw"})
    public String runtime;

    private BenchRuntime rt;
    private RemoteCall link;
    private Leaks leaks;

    @Setup(Level.Trial)
    public void open() throws Exception {
        leaks = Leaks.snapshot();
        rt = Runtimes.open(runtime);
        link = rt.remoteCall(PAYLOAD_BYTES);
    }

    @Benchmark
    public void call() throws Exception {
        link.call();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        try {
            link.close();
        } finally {
            rt.close();
        }
        leaks.report("remote-call/" + runtime);
    }
}
