package io.loomnet.bench.api;

import java.util.Set;
import java.util.function.Supplier;

/**
 * A runtime the bench knows: its id (the JMH {@code runtime} parameter), how reports name it,
 * whether it is Loomnet, a peer or a transport floor, its library version, the workloads it takes
 * part in and how to open it for one trial.
 */
public record RuntimeInfo(String id, String label, Kind kind, String version, Set<Workload> workloads,
                          Supplier<? extends BenchRuntime> opener) {

    public enum Kind {
        /** One of Loomnet's dispatchers: the columns the ratios are computed for. */
        LOOMNET,
        /** Another actor runtime (or the plain-JDK floor). */
        PEER,
        /** Raw transport floor for the remote workloads. */
        TRANSPORT
    }

    public BenchRuntime open() {
        return opener.get();
    }
}
