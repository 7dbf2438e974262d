package io.loomnet.bench.api;

import io.loomnet.Dispatcher;
import io.loomnet.bench.loomnet.LoomnetRuntime;
import io.loomnet.bench.peers.fibry.FibryRuntime;
import io.loomnet.bench.peers.jdk.JdkVtRuntime;
import io.loomnet.bench.peers.pekko.PekkoRuntime;
import io.loomnet.bench.peers.zmq.ZmqRawRuntime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The registry of runtimes, in report column order: Loomnet's three dispatchers first
 * ({@link LoomnetRuntime}), then the peers and the transport floor. The JMH classes take the runtime
 * ids from here, and the reports compute Loomnet's ratios from the {@code LOOMNET} kind.
 */
public final class Runtimes {
    /** The versions bench/pom.xml pins, filtered into versions.properties at build time. */
    public static final Properties VERSIONS = loadVersions();
    public static final String PEKKO_VERSION = VERSIONS.getProperty("pekko");
    public static final String FIBRY_VERSION = VERSIONS.getProperty("fibry");
    public static final String JEROMQ_VERSION = VERSIONS.getProperty("jeromq");
    public static final String LOOMNET_VERSION = VERSIONS.getProperty("loomnet");

    private static final Set<Workload> LOCAL = EnumSet.range(Workload.PINGPONG, Workload.CHURN);
    private static final Set<Workload> REMOTE = EnumSet.of(Workload.REMOTE_TELL, Workload.REMOTE_CALL);

    private static final Map<String, RuntimeInfo> ALL = new LinkedHashMap<>();

    static {
        loomnet("loomnet-virtual", "Loomnet VIRTUAL", Dispatcher.VIRTUAL, EnumSet.allOf(Workload.class));
        // PLATFORM runs one OS thread per live service: a 1,111,111-service Skynet tree does not fit
        // (the kernel's vm.max_map_count of 65530 caps a JVM near 32k threads; see docs/benchmarks.md).
        loomnet("loomnet-platform", "Loomnet PLATFORM", Dispatcher.PLATFORM,
                EnumSet.complementOf(EnumSet.of(Workload.SKYNET)));
        loomnet("loomnet-pooled", "Loomnet POOLED", Dispatcher.POOLED, EnumSet.allOf(Workload.class));
        add(new RuntimeInfo("pekko", "Pekko", RuntimeInfo.Kind.PEER, PEKKO_VERSION, LOCAL, PekkoRuntime::new));
        add(new RuntimeInfo("fibry", "Fibry", RuntimeInfo.Kind.PEER, FIBRY_VERSION, LOCAL, FibryRuntime::new));
        add(new RuntimeInfo("jdk-vt", "JDK virtual threads", RuntimeInfo.Kind.PEER,
                System.getProperty("java.version"), LOCAL, JdkVtRuntime::new));
        add(new RuntimeInfo("zmq-raw", "raw JeroMQ", RuntimeInfo.Kind.TRANSPORT, JEROMQ_VERSION, REMOTE,
                ZmqRawRuntime::new));
    }

    private Runtimes() {
    }

    private static Properties loadVersions() {
        Properties p = new Properties();
        try (InputStream in = Runtimes.class.getResourceAsStream("/io/loomnet/bench/versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("versions.properties missing from the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static void add(RuntimeInfo info) {
        ALL.put(info.id(), info);
    }

    /** One of Loomnet's dispatchers. */
    private static void loomnet(String id, String label, Dispatcher dispatcher, Set<Workload> workloads) {
        add(new RuntimeInfo(id, label, RuntimeInfo.Kind.LOOMNET, LOOMNET_VERSION, workloads,
                () -> new LoomnetRuntime(dispatcher)));
    }

    /** Every runtime, runnable or pending, in column order. */
    public static List<RuntimeInfo> all() {
        return List.copyOf(ALL.values());
    }

    public static RuntimeInfo get(String id) {
        RuntimeInfo info = ALL.get(id);
        if (info == null) {
            throw new IllegalArgumentException("unknown runtime '" + id + "', known: " + ALL.keySet());
        }
        return info;
    }

    /** Runtimes that implement the workload, in column order. */
    public static List<RuntimeInfo> supporting(Workload w) {
        List<RuntimeInfo> out = new ArrayList<>();
        for (RuntimeInfo info : ALL.values()) {
            if (info.workloads().contains(w)) {
                out.add(info);
            }
        }
        return out;
    }

    public static BenchRuntime open(String id) {
        return get(id).open();
    }
}
