package io.loomnet.micrometer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

import io.loomnet.Handle;
import io.loomnet.LoomnetException;
import io.loomnet.Node;
import io.loomnet.ServiceStats;
import io.loomnet.transport.zmq.cluster.Cluster;
import io.loomnet.transport.zmq.gateway.ServiceGateway;

/**
 * Publishes a node's statistics to a Micrometer {@link MeterRegistry}: the node's counters
 * ({@link StatsMeters#NODE}), chosen services' counters ({@link StatsMeters#SERVICE}), and, when given, the
 * cluster's ({@link StatsMeters#CLUSTER}, plus {@code loomnet.cluster.peer.up} per peer) and each gateway's
 * ({@link StatsMeters#GATEWAY}).
 *
 * <pre>{@code
 * LoomnetMetrics metrics = LoomnetMetrics.builder(registry)
 *         .node(node).cluster(cluster).gateway(gateway)
 *         .services(s -> s.name() != null)      // the default: named services only
 *         .bind();
 * ...
 * metrics.refresh();                            // pick up services spawned since, drop the ones gone
 * metrics.close();                              // remove every meter this binding registered
 * }</pre>
 *
 * <p><b>Reading.</b> Meters read a fresh snapshot ({@code node.stats()}, {@code node.stats(handle)},
 * {@code cluster.stats()}, {@code gateway.stats()}) each time the registry asks for a value, on the registry's
 * thread; nothing is recorded on the message path. A service meter whose service has terminated reads
 * {@code NaN} until the next {@link #refresh()} removes it. Meters are tagged {@code node} (the node id), service
 * meters also {@code service} (the printed handle) and {@code name}, gateway meters {@code endpoint}, peer meters
 * {@code peer}; tags given to {@link Builder#tags} are added to all.
 *
 * <p><b>Services.</b> Services come and go, so per-service meters are registered for the services that match
 * the filter when {@link Builder#bind()} or {@link #refresh()} runs. Handles are never reused, so a high-churn
 * node with a filter matching every service would grow the registry without bound between refreshes: the
 * default filter takes named services only. Call {@link #refresh()} as often as services change (for example
 * from a timer, or after launching).
 *
 * <p><b>Threading.</b> Thread-safe. {@link #refresh()} and {@link #close()} may be called from any thread; they
 * serialise on a lock that is never held while the registry reads a value. After {@link #close()},
 * {@link #refresh()} does nothing.
 */
public final class LoomnetMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Node node;
    private final Tags common;
    private final Predicate<ServiceStats> services;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final List<Meter> fixedMeters = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private final Map<Handle, List<Meter>> serviceMeters = new HashMap<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    private LoomnetMetrics(Builder b) {
        this.registry = b.registry;
        this.node = b.node;
        this.common = Tags.of(b.tags).and("node", Integer.toString(b.node.id()));
        this.services = b.services;
        lock.lock();
        try {
            register(fixedMeters, StatsMeters.NODE, node, Node::stats, common);
            if (b.cluster != null) {
                Cluster cluster = b.cluster;
                register(fixedMeters, StatsMeters.CLUSTER, cluster, Cluster::stats, common);
                for (Integer peer : cluster.stats().links().keySet()) {
                    register(fixedMeters, StatsMeters.LINK, cluster, c -> c.stats().link(peer),
                            common.and("peer", Integer.toString(peer)));
                    fixedMeters.add(Gauge.builder("loomnet.cluster.peer.up", cluster,
                                    c -> c.peerState(peer) == Cluster.PeerState.UP ? 1 : 0)
                            .description("1 while the peer answers heartbeats, else 0")
                            .tags(common.and("peer", Integer.toString(peer))).register(registry));
                }
            }
            for (ServiceGateway g : b.gateways) {
                register(fixedMeters, StatsMeters.GATEWAY, g, ServiceGateway::stats,
                        common.and("endpoint", g.endpoint()));
            }
            refreshLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param registry where to register the meters
     * @return a builder; {@link Builder#node(Node)} is required
     */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /**
     * Registers meters for services that match the filter and have none yet, and removes the meters of services
     * that no longer exist or no longer match.
     *
     * @return the number of services with meters after the refresh
     */
    public int refresh() {
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            return refreshLocked();
        } finally {
            lock.unlock();
        }
    }

    private int refreshLocked() {
        Set<Handle> wanted = new HashSet<>();
        for (ServiceStats s : node.services()) {
            if (!"TERMINATED".equals(s.state()) && services.test(s)) {
                wanted.add(s.handle());
                if (!serviceMeters.containsKey(s.handle())) {
                    Handle h = s.handle();
                    List<Meter> meters = new ArrayList<>();
                    Tags tags = common.and("service", h.toString()).and("name", s.name() == null ? "" : s.name());
                    register(meters, StatsMeters.SERVICE, node, n -> n.stats(h), tags);
                    serviceMeters.put(h, meters);
                }
            }
        }
        serviceMeters.entrySet().removeIf(e -> {
            if (wanted.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
        return serviceMeters.size();
    }

    /** Removes every meter this binding registered. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            fixedMeters.forEach(registry::remove);
            fixedMeters.clear();
            serviceMeters.values().forEach(ms -> ms.forEach(registry::remove));
            serviceMeters.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Snapshot read per value; an empty snapshot (a service gone) reads NaN. */
    private <S, R> void register(List<Meter> out, List<StatsMeters.Field<R>> fields, S source,
            Function<S, ?> snapshot, Tags tags) {
        for (StatsMeters.Field<R> f : fields) {
            ToDoubleFunction<S> read = s -> {
                Object snap = snapshot.apply(s);
                if (snap instanceof Optional<?> o) {
                    snap = o.orElse(null);
                }
                if (snap == null) {
                    return Double.NaN;
                }
                @SuppressWarnings("unchecked")
                R r = (R) snap;
                return f.value().applyAsDouble(r);
            };
            Meter m = switch (f.kind()) {
                case COUNTER -> FunctionCounter.builder(f.name(), source, read).description(f.description())
                        .baseUnit(f.baseUnit()).tags(tags).register(registry);
                case GAUGE -> Gauge.builder(f.name(), source, read).description(f.description())
                        .baseUnit(f.baseUnit()).tags(tags).strongReference(true).register(registry);
            };
            out.add(m);
        }
    }

    @Override
    public String toString() {
        return "LoomnetMetrics[node " + node.id() + ", " + common + "]";
    }

    /** Collects what to bind. Not thread-safe; use from one thread, then {@link #bind()}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private Node node;
        private Cluster cluster;
        private final List<ServiceGateway> gateways = new ArrayList<>();
        private Predicate<ServiceStats> services = s -> s.name() != null;
        private final List<Tag> tags = new ArrayList<>();

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * @param node the node whose statistics to publish (required)
         * @return this
         */
        public Builder node(Node node) {
            this.node = Objects.requireNonNull(node, "node");
            return this;
        }

        /**
         * @param cluster the node's cluster, to publish its frame counters and peer states
         * @return this
         */
        public Builder cluster(Cluster cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /**
         * @param gateway a service gateway of the node; may be called once per gateway
         * @return this
         */
        public Builder gateway(ServiceGateway gateway) {
            gateways.add(Objects.requireNonNull(gateway, "gateway"));
            return this;
        }

        /**
         * @param filter which services get per-service meters (default: services with a registered name)
         * @return this
         */
        public Builder services(Predicate<ServiceStats> filter) {
            this.services = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * @param extra tags added to every meter, for example the application's name
         * @return this
         */
        public Builder tags(Iterable<Tag> extra) {
            Objects.requireNonNull(extra, "extra").forEach(tags::add);
            return this;
        }

        /**
         * Registers the meters.
         *
         * @return the binding, to {@link LoomnetMetrics#refresh()} and {@link LoomnetMetrics#close()}
         * @throws LoomnetException if no node was given
         */
        public LoomnetMetrics bind() {
            if (node == null) {
                throw new LoomnetException("LoomnetMetrics.builder(registry) needs .node(node) before bind()");
            }
            return new LoomnetMetrics(this);
        }
    }
}
