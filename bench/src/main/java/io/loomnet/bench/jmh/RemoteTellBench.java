package io.loomnet.bench.jmh;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.RemoteTell;
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

/** Workload 7a: one-way 100-byte messages per second between two nodes over TCP on loopback. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RemoteTellBench {
    public static final int PAYLOAD_BYTES = 100;
    public static final int MESSAGES = 200_000;

    @Param({"loomnet-virtual", "loomnet-platform", "loomnet-pooled", "zmq-raw"})
    public String runtime;

    private BenchRuntime rt;
    private RemoteTell link;
    private Leaks leaks;

    @Setup(Level.Trial)
    public void open() throws Exception {
        leaks = Leaks.snapshot();
        rt = Runtimes.open(runtime);
        link = rt.remoteTell(PAYLOAD_BYTES);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long messages() throws Exception {
        long got = link.run(MESSAGES);
        Check.equal(MESSAGES, got, "remote tell payloads received");
        return got;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        try {
            link.close();
        } finally {
            rt.close();
        }
        leaks.report("remote-tell/" + runtime);
    }
}
