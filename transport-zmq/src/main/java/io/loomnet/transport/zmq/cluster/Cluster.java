package io.loomnet.transport.zmq.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

import io.loomnet.Handle;
import io.loomnet.MessageType;
import io.loomnet.Node;
import io.loomnet.scope.CloseReport;
import io.loomnet.scope.Scope;
import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.RemoteRouter;
import io.loomnet.transport.zmq.Machine;
import io.loomnet.transport.zmq.MachineManager;
import io.loomnet.transport.zmq.MachineSpec;
import io.loomnet.transport.zmq.codec.Codec;

/**
 * Links a {@link Node} to other nodes over ZeroMQ, so that remote handles work exactly like local ones:
 * {@code send}, {@code call}, {@code ask}, {@code watch} and {@code name@node} lookups.
 *
 * <pre>
 *  node 1                                           node 2
 *  service ─► Node ─► ClusterRouter ─► PeerLink(2) ══TCP══► inbox machine (ROUTER ⇄ proxy ⇄ DEALER)
 *                                      DEALER, own thread               └─► InboxWorker ─► RemoteInbox ─► service
 * </pre>
 *
 * <ul>
 *   <li>This node's inbox is a machine of its own {@link MachineManager}; each configured peer gets an
 *   outbound {@link PeerLink} owned by one platform thread.</li>
 *   <li>Payloads cross the wire through the {@link Codec}; never Java serialization. A payload type the codec
 *   does not know fails at the sender with a {@code CodecException}.</li>
 *   <li>Failure detection: each link pings its peer every heartbeat interval; a peer silent for
 *   {@code downAfter} (default 900 ms) is declared down: calls to its services fail at once, watchers get
 *   {@code Terminated(NODE_UNREACHABLE)}, sends are dead-lettered. The link reconnects on its own and the
 *   peer is up again at its first answer.</li>
 *   <li>Optional CURVE: the inbox is a CURVE server that accepts only clients on the allow-list (the
 *   configured peers' keys plus any extra); links authenticate the peers' servers by their public keys.</li>
 * </ul>
 *
 * <p><b>Lifecycle.</b> {@link Builder#start()} attaches the cluster to the node and registers it in the node's
 * transport stage, so {@link Node#close()} closes it (links, then inbox machine, then authentication, then
 * the ZeroMQ context). {@link #close()} may also be called directly; it is idempotent.
 *
 * <p><b>Threading.</b> All methods are thread-safe.
 */
public final class Cluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    /** Bytes of the fixed frame header; {@link Builder#maxFrameBytes(int)} must leave room for a body. */
    public static final int FRAME_HEADER_BYTES = Frame.HEADER;

    /** A peer link's state. */
    public enum PeerState {
        /** Started, the peer has not answered yet; messages queue. */
        CONNECTING,
        /** The peer answers heartbeats. */
        UP,
        /** The peer stopped answering; messages to it are dead-lettered until it answers again. */
        DOWN,
        /** The cluster is closed. */
        CLOSED
    }

    private final Node node;
    private final ClusterConfig config;
    private final Codec codec;
    private final MachineManager machines;
    private final Map<Integer, PeerLink> links = new HashMap<>();
    private final ClusterStats.Counters counters = new ClusterStats.Counters();
    private final InboxWorker worker;
    private final Scope scope;
    private final Machine inbox;
    private final ZapHandler zap;
    private RemoteInbox remoteInbox;

    private Cluster(Node node, ClusterConfig config, Codec codec) {
        this.node = node;
        this.config = config;
        this.codec = codec;
        int self = node.id();
        this.scope = Scope.open("cluster of node " + self, config.stopTimeout(), "links", "inbox", "auth", "context");
        this.machines = new MachineManager(config.stopTimeout());
        scope.add("context", "machine manager", deadline -> machines.shutdown().clean());
        try {
            this.zap = config.curve().map(c -> new ZapHandler(machines.context(), c.allowedZ85(),
                    "loomnet-" + self + "-zap")).orElse(null);
            if (zap != null) {
                zap.start();
                scope.add("auth", "ZAP handler", zap::stop);
            }
            long incarnation = new java.security.SecureRandom().nextLong() | 1L; // never 0: 0 means unknown
            this.worker = new InboxWorker(self, incarnation, config, codec, counters);
            MachineSpec.Builder spec = MachineSpec.builder(config.inboxEndpoint(), worker).workerThreads(1)
                    .maxMessageBytes(2L * config.maxFrameBytes() + Frame.HEADER)
                    .startTimeout(config.startTimeout());
            config.curve().ifPresent(c -> spec.frontendOptions(s -> {
                s.setZAPDomain("loomnet");
                s.setCurveServer(true);
                s.setCurvePublicKey(c.publicKey());
                s.setCurveSecretKey(c.secretKey());
            }));
            String inboxName = "cluster-inbox-" + self;
            this.inbox = machines.create(inboxName, spec.build());
            scope.add("inbox", "inbox machine " + inbox.endpoint(), deadline -> machines.destroy(inboxName)
                    .map(CloseReport::clean).orElse(true));
            PeerLink.Listener listener = new LinkListener();
            for (Map.Entry<Integer, String> p : config.peers().entrySet()) {
                PeerLink link = new PeerLink(self, p.getKey(), p.getValue(), machines.context(), config, listener);
                link.start();
                links.put(p.getKey(), link);
                scope.add("links", "link to node " + p.getKey(), link::close);
            }
        } catch (RuntimeException e) {
            scope.shutdown();
            throw e;
        }
    }

    private void attach() {
        Router router = new Router();
        remoteInbox = node.attachRemote(router);
        worker.attach(remoteInbox, router);
        node.addTransport("cluster", deadline -> scope.shutdown().clean());
    }

    /**
     * @param node the node to link
     * @return a builder
     */
    public static Builder builder(Node node) {
        return new Builder(Objects.requireNonNull(node, "node"));
    }

    /** @return the endpoint the inbox is bound to, resolved (e.g. a wildcard port replaced by the real one) */
    public String inboxEndpoint() {
        return inbox.endpoint();
    }

    /**
     * @param peer a configured peer's node id
     * @return its link state
     * @throws IllegalArgumentException if the peer is not configured
     */
    public PeerState peerState(int peer) {
        PeerLink l = links.get(peer);
        if (l == null) {
            throw new IllegalArgumentException("node " + peer + " is not a configured peer of node " + node.id()
                    + "; peers are " + links.keySet());
        }
        return PeerState.valueOf(l.state().name());
    }

    /** @return the cluster's counters */
    public ClusterStats stats() {
        long out = 0;
        Map<Integer, PeerState> states = new LinkedHashMap<>();
        for (PeerLink l : links.values()) {
            out += l.framesOut.get();
            states.put(l.peer(), PeerState.valueOf(l.state().name()));
        }
        return new ClusterStats(counters.framesIn.sum(), counters.delivered.sum(), counters.malformed.sum(),
                counters.oversize.sum(), counters.undecodable.sum(), counters.stale.sum(), out, counters.refused.sum(),
                counters.dropped.sum(), Map.copyOf(states));
    }

    /** @return connections the inbox refused because their CURVE key is not on the allow-list (0 without CURVE) */
    public long zapRefused() {
        return zap == null ? 0 : zap.refused.sum();
    }

    /** @return the inbox machine's live client connections */
    public int inboxPeerCount() {
        return inbox.peerCount();
    }

    /**
     * Closes links, inbox, authentication and the ZeroMQ context, in that order. Idempotent.
     *
     * @return what stopped and what did not
     */
    public CloseReport shutdown() {
        return scope.shutdown();
    }

    @Override
    public void close() {
        CloseReport r = shutdown();
        if (!r.clean()) {
            LOG.warn("cluster of node {} did not close cleanly: {}", node.id(), r);
        }
    }

    private final class LinkListener implements PeerLink.Listener {
        @Override
        public void peerUp(int peer) {
            LOG.info("node {}: peer node {} is up", node.id(), peer);
        }

        @Override
        public void peerDown(int peer, String reason) {
            LOG.warn("node {}: peer node {} is down: {}", node.id(), peer, reason);
            RemoteInbox in = remoteInbox;
            if (in != null) {
                in.nodeDown(peer, reason);
            }
        }

        @Override
        public void dropped(int peer, byte[] frame, String reason) {
            counters.dropped.increment();
            LOG.debug("node {}: frame to node {} dropped: {}", node.id(), peer, reason);
        }
    }

    /** Carries the node's messages for other nodes to the links. Thread-safe; never blocks (but lookup). */
    private final class Router implements RemoteRouter {
        @Override
        public boolean route(Handle source, Handle target, MessageType type, long session, Object payload) {
            PeerLink link = links.get(target.node());
            if (link == null) {
                counters.refused.increment();
                return false;
            }
            byte[] body = codec.encode(payload);
            if (body.length + Frame.HEADER > config.maxFrameBytes()) {
                throw new ClusterException("message " + (payload == null ? "null" : payload.getClass().getName())
                        + " from " + source + " to " + target + " is " + (body.length + Frame.HEADER)
                        + " bytes, over the cluster frame limit of " + config.maxFrameBytes() + " bytes");
            }
            boolean ok = link.offer(Frame.encode(Frame.Kind.of(type), source, target, session, body));
            if (!ok) {
                counters.refused.increment();
            }
            return ok;
        }

        @Override
        public void watch(Handle watcher, Handle target) {
            PeerLink link = links.get(target.node());
            if (link == null || !link.offer(Frame.encode(Frame.Kind.WATCH, watcher, target, 0, null))) {
                notifyUnreachable(watcher, target);
            }
        }

        @Override
        public void unwatch(Handle watcher, Handle target) {
            PeerLink link = links.get(target.node());
            if (link != null) {
                link.offer(Frame.encode(Frame.Kind.UNWATCH, watcher, target, 0, null));
            }
        }

        @Override
        public Optional<Handle> lookup(int peer, String name, Duration timeout) {
            PeerLink link = links.get(peer);
            if (link == null) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable(link.lookup(name).get(timeout.toNanos(), TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } catch (ExecutionException | TimeoutException e) {
                return Optional.empty();
            }
        }

        private void notifyUnreachable(Handle watcher, Handle target) {
            RemoteInbox in = remoteInbox;
            if (in != null) {
                in.deliver(target, watcher, MessageType.SYSTEM, 0, new io.loomnet.Terminated(target,
                        io.loomnet.Terminated.Reason.NODE_UNREACHABLE, "node " + target.node()
                        + " is unknown or down"));
            }
        }
    }

    /** Configures and starts a {@link Cluster}. Not thread-safe. */
    public static final class Builder {
        private final Node node;
        private String inbox;
        private final Map<Integer, String> peers = new LinkedHashMap<>();
        private final Map<Integer, String> peerKeys = new HashMap<>();
        private final Set<String> extraAllowed = new LinkedHashSet<>();
        private Codec codec;
        private Duration heartbeat = Duration.ofMillis(200);
        private Duration downAfter = Duration.ofMillis(900);
        private int maxFrameBytes = 1 << 20;
        private int linkQueueLimit = 100_000;
        private int highWaterMark = 100_000;
        private Duration startTimeout = Duration.ofSeconds(5);
        private Duration stopTimeout = Duration.ofSeconds(3);
        private String publicKey;
        private String secretKey;

        private Builder(Node node) {
            this.node = node;
        }

        /**
         * @param endpoint the TCP endpoint this node's inbox binds, e.g. {@code tcp://127.0.0.1:7001} or
         *                 {@code tcp://127.0.0.1:*} for a free port
         * @return this
         */
        public Builder inbox(String endpoint) {
            this.inbox = requireTcp("inbox", endpoint);
            return this;
        }

        /**
         * @param nodeId the peer's node id
         * @param endpoint the peer's inbox endpoint
         * @return this
         */
        public Builder peer(int nodeId, String endpoint) {
            if (nodeId == node.id()) {
                throw new IllegalArgumentException("peer " + nodeId + " is this node itself");
            }
            if (nodeId < 0 || nodeId > Handle.MAX_NODE) {
                throw new IllegalArgumentException("peer node id must be in 0.." + Handle.MAX_NODE + ", was " + nodeId);
            }
            peers.put(nodeId, requireTcp("peer " + nodeId, endpoint));
            return this;
        }

        /**
         * A peer with CURVE: its inbox's public key (Z85, 40 characters), also allowed as a client of ours.
         *
         * @param nodeId the peer's node id
         * @param endpoint its inbox endpoint
         * @param publicKeyZ85 its public key
         * @return this
         */
        public Builder peer(int nodeId, String endpoint, String publicKeyZ85) {
            peer(nodeId, endpoint);
            peerKeys.put(nodeId, requireKey("public key of peer " + nodeId, publicKeyZ85));
            return this;
        }

        /**
         * Enables CURVE with this node's key pair (Z85; see {@link ZMQ.Curve#generateKeyPair()}). Every peer must
         * then be given with its public key; only peers' keys (and {@link #allowClient}) may connect.
         *
         * @param publicKeyZ85 this node's public key
         * @param secretKeyZ85 this node's secret key
         * @return this
         */
        public Builder curve(String publicKeyZ85, String secretKeyZ85) {
            this.publicKey = requireKey("public key", publicKeyZ85);
            this.secretKey = requireKey("secret key", secretKeyZ85);
            return this;
        }

        /**
         * @param publicKeyZ85 an extra client key the inbox accepts (CURVE only)
         * @return this
         */
        public Builder allowClient(String publicKeyZ85) {
            extraAllowed.add(requireKey("allowed client key", publicKeyZ85));
            return this;
        }

        /**
         * @param codec how payloads cross the wire; every node must register the same types with the same ids
         * @return this
         */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * @param interval how often links ping their peers (default 200 ms)
         * @param downAfter silence after which a peer is declared down (default 900 ms; more than the interval)
         * @return this
         */
        public Builder heartbeat(Duration interval, Duration downAfter) {
            if (interval.isNegative() || interval.isZero() || downAfter.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("heartbeat needs 0 < interval < downAfter; was interval="
                        + interval + ", downAfter=" + downAfter);
            }
            this.heartbeat = interval;
            this.downAfter = downAfter;
            return this;
        }

        /**
         * @param bytes the largest frame sent or accepted (header included; default 1 MiB)
         * @return this
         */
        public Builder maxFrameBytes(int bytes) {
            if (bytes < Frame.HEADER + 1) {
                throw new IllegalArgumentException("maxFrameBytes must be more than " + Frame.HEADER + ", was " + bytes);
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        /**
         * @param frames frames queued per link before sends are dead-lettered (default 100000)
         * @return this
         */
        public Builder linkQueueLimit(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("linkQueueLimit must be positive, was " + frames);
            }
            this.linkQueueLimit = frames;
            return this;
        }

        /**
         * @param timeout how long closing the cluster may take (default 3 s)
         * @return this
         */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Binds the inbox, starts the links, and attaches the cluster to the node.
         *
         * @return the running cluster
         * @throws ClusterException if the inbox cannot bind or a link cannot start
         */
        public Cluster start() {
            if (inbox == null) {
                throw new IllegalStateException("cluster of node " + node.id() + ": inbox endpoint not set");
            }
            Optional<ClusterConfig.Curve> curve = Optional.empty();
            if (publicKey != null) {
                Map<Integer, byte[]> keys = new HashMap<>();
                Set<String> allowed = new LinkedHashSet<>(extraAllowed);
                for (Integer p : peers.keySet()) {
                    String k = peerKeys.get(p);
                    if (k == null) {
                        throw new IllegalStateException("CURVE is on but peer " + p + " has no public key; use "
                                + "peer(id, endpoint, publicKeyZ85)");
                    }
                    keys.put(p, ZMQ.Curve.z85Decode(k));
                    allowed.add(k);
                }
                curve = Optional.of(new ClusterConfig.Curve(ZMQ.Curve.z85Decode(publicKey),
                        ZMQ.Curve.z85Decode(secretKey), keys, allowed));
            }
            ClusterConfig config = new ClusterConfig(inbox, Map.copyOf(peers), heartbeat, downAfter, maxFrameBytes,
                    linkQueueLimit, highWaterMark, startTimeout, stopTimeout, curve);
            Cluster c = new Cluster(node, config, codec == null ? Codec.builder().build() : codec);
            try {
                c.attach();
            } catch (RuntimeException e) {
                c.shutdown();
                throw e;
            }
            return c;
        }

        private static String requireTcp(String what, String endpoint) {
            Objects.requireNonNull(endpoint, what);
            if (!endpoint.startsWith("tcp://") || endpoint.lastIndexOf(':') <= "tcp://".length()) {
                throw new IllegalArgumentException(what + " endpoint must look like tcp://host:port, was '"
                        + endpoint + "'");
            }
            return endpoint;
        }

        private static String requireKey(String what, String z85) {
            if (z85 == null || z85.length() != 40) {
                throw new IllegalArgumentException(what + " must be a 40-character Z85 CURVE key");
            }
            return z85;
        }
    }
}
