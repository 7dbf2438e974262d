package io.loomnet.bench.api;

import io.loomnet.bench.peers.fibry.FibryRuntime;
import io.loomnet.bench.peers.jdk.JdkVtRuntime;
import io.loomnet.bench.peers.pekko.PekkoRuntime;
import io.loomnet.bench.peers.zmq.ZmqRawRuntime;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry of runtimes, in report column order. Loomnet's three dispatchers are listed first
 * and marked pending until their adapter exists.
 *
 * <p>To add Loomnet: write {@code io.loomnet.bench.loomnet.LoomnetRuntime implements BenchRuntime}
 * (constructor takes the dispatcher, opens a node; {@code close()} closes it) with one class per
 * workload, and replace the three {@link #pending} entries below with
 * {@code runtime("loomnet-virtual", "Loomnet VIRTUAL", Kind.LOOMNET, LOOMNET_VERSION, ALL_WORKLOADS,
 * () -> new LoomnetRuntime(Dispatcher.VIRTUAL))} and so on. Nothing else changes: the JMH classes take
 * the runtime ids from here, and the reports already have the columns and ratios.
 */
public final class Runtimes {
    /** Versions are read from the jars where they say; these are the pins of bench/pom.xml. */
    public static final String PEKKO_VERSION = "1.7.0";
    public static final String FIBRY_VERSION = "3.0.3";
    public static final String JEROMQ_VERSION = "0.6.0";
    public static final String LOOMNET_VERSION = "0.1.0-SNAPSHOT";

    private static final Set<Workload> LOCAL = EnumSet.range(Workload.PINGPONG, Workload.CHURN);
    private static final Set<Workload> REMOTE = EnumSet.of(Workload.REMOTE_TELL, Workload.REMOTE_CALL);

    private static final Map<String, RuntimeInfo> ALL = new LinkedHashMap<>();

    static {
        pending("loomnet-virtual", "Loomnet VIRTUAL");
        pending("loomnet-platform", "Loomnet PLATFORM");
        pending("loomnet-pooled", "Loomnet POOLED");
        add(new RuntimeInfo("pekko", "Pekko", RuntimeInfo.Kind.PEER, PEKKO_VERSION, LOCAL, PekkoRuntime::new));
        add(new RuntimeInfo("fibry", "Fibry", RuntimeInfo.Kind.PEER, FIBRY_VERSION, LOCAL, FibryRuntime::new));
        add(new RuntimeInfo("jdk-vt", "JDK virtual threads", RuntimeInfo.Kind.PEER,
                System.getProperty("java.version"), LOCAL, JdkVtRuntime::new));
        add(new RuntimeInfo("zmq-raw", "raw JeroMQ", RuntimeInfo.Kind.TRANSPORT, JEROMQ_VERSION, REMOTE,
                ZmqRawRuntime::new));
    }

    private Runtimes() {
    }

    private static void add(RuntimeInfo info) {
        ALL.put(info.id(), info);
    }

    /** A column that exists in every report but runs nothing yet. */
    private static void pending(String id, String label) {
        add(new RuntimeInfo(id, label, RuntimeInfo.Kind.LOOMNET, LOOMNET_VERSION, Set.of(), () -> {
            throw new UnsupportedOperationException(id + " is pending: Loomnet's API is not written yet");
        }));
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
