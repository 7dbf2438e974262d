package io.loomnet.transport.zmq.cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

import com.typesafe.config.Config;

import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.InvalidSettingsException;
import io.loomnet.Node;
import io.loomnet.scope.CloseReport;
import io.loomnet.scope.LoopErrorHandler;
import io.loomnet.scope.LoopRunner;
import io.loomnet.scope.Scope;
import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.SettingsReader;
import io.loomnet.transport.zmq.Machine;
import io.loomnet.transport.zmq.MachineManager;
import io.loomnet.transport.zmq.MachineSpec;
import io.loomnet.transport.zmq.ZmqAddresses;
import io.loomnet.transport.zmq.codec.Codec;
import io.loomnet.transport.zmq.internal.ZmqContext;

/**
 * Links a {@link Node} to other nodes over ZeroMQ, so that remote handles work exactly like local ones:
 * {@code send}, {@code call}, {@code ask}, {@code watch} and {@code name@node} lookups.
 *
 * <pre>
 *  node 1                                                        node 2
 *  service ─► Node ─► ClusterRouter ─► PeerLink(2) ══TCP══► inbox machine: one loop owns the ROUTER
 *            (encodes in the sender)   own thread, batches          └─► InboxWorker ─► RemoteInbox ─► mailbox
 * </pre>
 *
 * <ul>
 *   <li>This node's inbox is a machine of its own {@link MachineManager} (one loop thread that owns the ROUTER);
 *   each configured peer gets an outbound {@link PeerLink} on its own thread. A message crosses one thread on each
 *   side: the sender's link thread, then the receiver's inbox loop, which puts it in the target's mailbox.</li>
 *   <li>Payloads cross the wire through the {@link Codec}, encoded by the sending thread; never Java serialization.
 *   A payload type the codec does not know fails at the sender with a {@code CodecException}.</li>
 *   <li>Back-pressure: a link queues up to {@link Builder#linkQueueLimit(int)} tells and requests; beyond that a
 *   sender waits or fails ({@link BackPressure}), it is never silently dropped.</li>
 *   <li>Failure detection: each link pings its peer every heartbeat interval on a connection of its own; a peer
 *   silent for {@code downAfter} (default 900 ms) is declared down: calls to its services fail at once, watchers
 *   get {@code Terminated(NODE_UNREACHABLE)}, tells and requests are dead-lettered. The peer is up again at its
 *   first answer. A node that closes cleanly tells its peers, whose watchers get {@code Terminated(NODE_LEFT)}.</li>
 *   <li>Accounting: {@link #stats()} gives per-link counts that add up (see {@link LinkStats}).</li>
 *   <li>Optional CURVE: the inbox is a CURVE server that accepts only clients on the allow-list (the
 *   configured peers' keys plus any extra); links authenticate the peers' servers by their public keys.</li>
 * </ul>
 *
 * <p><b>Lifecycle.</b> {@link Builder#start()} attaches the cluster to the node and registers it in the node's
 * transport stage, so {@link Node#close()} closes it: links leave (queued messages go out, then a LEAVING notice the
 * peer confirms), then the inbox machine, then the links' ZeroMQ context. {@link #close()} may also be called
 * directly; it is idempotent.
 *
 * <p><b>Threading.</b> All methods are thread-safe.
 */
public final class Cluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    /** Bytes of a message's wire header; {@link Builder#maxFrameBytes(int)} must leave room for a body. */
    public static final int FRAME_HEADER_BYTES = Wire.MESSAGE_HEADER;
    /** The smallest {@link Builder#maxFrameBytes(int)}: a header and one byte of body. */
    public static final int MIN_FRAME_BYTES = FRAME_HEADER_BYTES + 1;
    /** The largest {@link Builder#maxFrameBytes(int)}: half of what one ZeroMQ frame may hold, for batch headroom. */
    public static final int MAX_FRAME_BYTES = MachineSpec.MAX_MESSAGE_BYTES_LIMIT / 2;

    /** A peer link's state. */
    public enum PeerState {
        /** Started, the peer has not answered yet; messages queue. */
        CONNECTING,
        /** The peer answers heartbeats. */
        UP,
        /** The peer stopped answering; tells and requests to it are dead-lettered until it answers again. */
        DOWN,
        /** The peer closed cleanly and said so; dead-lettered until a new run of it answers. */
        LEFT,
        /** The cluster is closed. */
        CLOSED
    }

    private final Node node;
    private final ClusterConfig config;
    private final MachineManager machines;
    private final ZmqContext linkContext;
    private final PeerLink[] linkByNode;
    private final Map<Integer, PeerLink> links = new LinkedHashMap<>();
    private final ClusterStats.Counters counters = new ClusterStats.Counters();
    private final LongAdder loopErrors = new LongAdder();
    private final InboxWorker worker;
    private final Scope scope;
    private final Machine inbox;
    private volatile RemoteInbox remoteInbox;

    private Cluster(Node node, ClusterConfig config, Codec codec) {
        this.node = node;
        this.config = config;
        int self = node.id();
        LoopErrorHandler logging = LoopErrorHandler.logging();
        LoopErrorHandler errors = (thread, e) -> {
            loopErrors.increment();
            logging.onError(thread, e);
        };
        this.scope = Scope.open("cluster of node " + self, config.stopTimeout(), "links", "inbox", "context");
        this.machines = new MachineManager(config.stopTimeout(), errors);
        scope.add("inbox", "machine manager", deadline -> machines.shutdown().clean());
        this.linkContext = new ZmqContext("links-" + self, errors);
        scope.add("context", "links context " + linkContext.role(), linkContext::close);
        int maxPeer = config.peers().keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        this.linkByNode = new PeerLink[maxPeer + 1];
        try {
            long incarnation = new SecureRandom().nextLong() | 1L; // never 0: 0 means unknown
            this.worker = new InboxWorker(self, incarnation, config, codec, counters, new InboxListener());
            int frameLimit = Math.max(PeerLink.MAX_BATCH_BYTES, config.maxFrameBytes() + Wire.LENGTH_PREFIX)
                    + Wire.BATCH_HEADER;
            MachineSpec.Builder spec = MachineSpec.builder(config.inboxEndpoint(), worker)
                    .workerThreads(1)
                    .maxMessageBytes(frameLimit)
                    .highWaterMark(config.highWaterMark())
                    .heartbeatInterval(Duration.ZERO) // liveness is the links' own PING/PONG
                    .startTimeout(config.startTimeout());
            config.curve().ifPresent(c -> spec.curveServer(new MachineSpec.CurveServer(c.publicKey(),
                    c.secretKey(), c.allowedZ85())));
            String inboxName = "cluster-inbox-" + self;
            this.inbox = machines.create(inboxName, spec.build());
            List<LoopRunner> runners = new ArrayList<>();
            PeerLink.Listener listener = new LinkListener();
            for (Map.Entry<Integer, String> p : config.peers().entrySet()) {
                PeerLink link = new PeerLink(self, p.getKey(), p.getValue(), linkContext.context(), config, listener);
                LoopRunner r = LoopRunner.start(link.role(), link, errors);
                // The leave below has asked the link to finish: it ends its loop once the peer confirmed LEAVING (or
                // at the deadline, or at once if the peer is not up). Only then is it stopped.
                scope.add("links", "link to node " + p.getKey(), deadline -> r.awaitEnd(deadline) || r.stop(deadline));
                runners.add(r);
                links.put(p.getKey(), link);
                linkByNode[p.getKey()] = link;
            }
            for (LoopRunner r : runners) {
                r.awaitStarted(config.startTimeout());
            }
            // Registered last, so it runs first in its stage: every link starts leaving at once, then each is joined.
            // Leaving may use half of what is left of the close deadline, never all of it: a peer that does not
            // confirm (gone, or its answer lost) must not leave the links' stop and the context's term without time.
            scope.add("links", "leave", deadline -> {
                long now = System.nanoTime();
                long leaveBy = now + Math.max(0, (deadline - now) / 2);
                for (PeerLink l : links.values()) {
                    l.leave(leaveBy);
                }
                return true;
            });
        } catch (RuntimeException e) {
            scope.shutdown();
            throw e;
        }
    }

    private void attach(Codec codec) {
        ClusterRouter router = new ClusterRouter(node.id(), linkByNode, codec, config);
        RemoteInbox in = node.attachRemote(router);
        router.attach(in);
        remoteInbox = in;
        worker.attach(in, router);
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

    /** @return the cluster's counters: the inbox's, and each link's */
    public ClusterStats stats() {
        Map<Integer, LinkStats> ls = new LinkedHashMap<>();
        for (PeerLink l : links.values()) {
            ls.put(l.peer(), l.stats());
        }
        var m = inbox.stats();
        return new ClusterStats(counters.framesIn.sum(), counters.delivered.sum(), counters.malformed.sum(),
                counters.oversize.sum(), counters.undecodable.sum(), counters.stale.sum(), m.refusedFrames(),
                zapRefused(), Map.copyOf(ls));
    }

    /** @return failures of the cluster's loops and of JeroMQ's threads, each also logged at ERROR */
    public long loopErrors() {
        return loopErrors.sum();
    }

    /** @return connections the inbox refused because their CURVE key is not on the allow-list (0 without CURVE) */
    public long zapRefused() {
        return inbox instanceof io.loomnet.transport.zmq.internal.MachineRuntime m && m.zap() != null
                ? m.zap().refused() : 0;
    }

    /** @return the inbox machine's live client connections */
    public int inboxPeerCount() {
        return inbox.peerCount();
    }

    /**
     * Closes the cluster: links leave (each sends what is queued and a LEAVING notice, and waits for its peer to
     * confirm), then the inbox, then the links' ZeroMQ context, in that order. Idempotent.
     *
     * @return what stopped and what did not
     */
    public CloseReport shutdown() {
        linkContext.beginTeardown();
        return scope.shutdown();
    }

    @Override
    public void close() {
        CloseReport r = shutdown();
        if (!r.clean()) {
            LOG.warn("cluster of node {} did not close cleanly: {}", node.id(), r);
        }
    }

    private PeerLink link(int peer) {
        return peer >= 0 && peer < linkByNode.length ? linkByNode[peer] : null;
    }

    /** What this node's inbox hears about peers, on its loop thread. */
    private final class InboxListener implements InboxWorker.Listener {
        @Override
        public void peerSeen(int peer) {
            PeerLink l = link(peer);
            if (l != null) {
                l.peerSeen();
            }
        }

        @Override
        public void peerLeaving(int peer) {
            PeerLink l = link(peer);
            if (l != null) {
                l.peerLeaving();
            }
        }
    }

    /** What the links report, on their threads. */
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
        public void peerLeft(int peer, String reason) {
            LOG.info("node {}: peer node {} left: {}", node.id(), peer, reason);
            RemoteInbox in = remoteInbox;
            if (in != null) {
                in.nodeLeft(peer, reason);
            }
        }

        @Override
        public void undeliverable(OutFrame f, DeadLetter.Reason reason) {
            RemoteInbox in = remoteInbox;
            if (in != null) {
                in.undeliverable(f.source, f.target, f.type, f.session, f.payload, reason);
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
        /** The keys {@link #config} reads, in the order errors list them. */
        private static final List<String> CONFIG_KEYS = List.of("inbox", "peers", "heartbeat", "down-after",
                "max-frame", "curve", "link-queue-limit", "back-pressure", "send-timeout", "stop-timeout");
        private static final List<String> PEER_KEYS = List.of("id", "endpoint", "public-key");
        private static final List<String> CURVE_KEYS = List.of("public-key", "secret-key");
        // Defaults: loomnet.cluster in this library's reference.conf.
        private Duration heartbeat = ClusterDefaults.HEARTBEAT;
        private Duration downAfter = ClusterDefaults.DOWN_AFTER;
        private int maxFrameBytes = ClusterDefaults.MAX_FRAME_BYTES;
        private int linkQueueLimit = ClusterDefaults.LINK_QUEUE_LIMIT;
        private int highWaterMark = 1000;
        private BackPressure backPressure = ClusterDefaults.BACK_PRESSURE;
        private Duration sendTimeout = ClusterDefaults.SEND_TIMEOUT;
        private Duration startTimeout = Duration.ofSeconds(5);
        private Duration stopTimeout = ClusterDefaults.STOP_TIMEOUT;
        private String publicKey;
        private String secretKey;

        private Builder(Node node) {
            this.node = node;
        }

        /**
         * Applies a config subtree such as {@code loomnet.cluster} (see this library's {@code reference.conf}, where
         * every default lives): {@code inbox}, {@code peers = [ { id, endpoint, public-key } ]}, {@code heartbeat},
         * {@code down-after}, {@code max-frame}, {@code curve { public-key, secret-key }}. Values are read with
         * typed getters and checked by this builder's setters; keys left out or {@code null} keep their value.
         *
         * @param settings the subtree
         * @return this
         * @throws InvalidSettingsException listing every wrong value and unknown key, each with its key path (for
         *         example {@code peers[0].endpoint}) and what was expected
         */
        public Builder config(Config settings) {
            SettingsReader r = new SettingsReader(Objects.requireNonNull(settings, "settings"), CONFIG_KEYS);
            r.string("inbox", ZmqAddresses.expectedEndpoint(true), s -> endpoint(r, "inbox", s, true)
                    .ifPresent(this::inbox));
            Duration[] hb = {heartbeat, downAfter};
            r.duration("heartbeat", d -> hb[0] = d);
            r.duration("down-after", d -> hb[1] = d);
            if (r.problems().isEmpty() && (r.isSet("heartbeat") || r.isSet("down-after"))) {
                String key = r.isSet("down-after") ? "down-after" : "heartbeat";
                String found = key.equals("down-after")
                        ? "is " + hb[1] + ", not longer than the heartbeat (" + hb[0] + ")"
                        : "is " + hb[0] + ", not shorter than down-after (" + hb[1] + ")";
                r.apply(key, hb, found, "a heartbeat shorter than down-after", v -> heartbeat(v[0], v[1]));
            }
            r.bytes("max-frame", MIN_FRAME_BYTES, MAX_FRAME_BYTES, this::maxFrameBytes);
            r.integer("link-queue-limit", "a positive integer", this::linkQueueLimit);
            Object[] bp = {backPressure, sendTimeout};
            r.string("back-pressure", "block or fail", s -> bp[0] = backPressureNamed(s));
            r.duration("send-timeout", d -> bp[1] = d);
            if (r.problems().isEmpty() && (r.isSet("back-pressure") || r.isSet("send-timeout"))) {
                r.apply(r.isSet("send-timeout") ? "send-timeout" : "back-pressure", bp, "is " + bp[1],
                        "a positive duration", v -> backPressure((BackPressure) v[0], (Duration) v[1]));
            }
            r.duration("stop-timeout", this::stopTimeout);
            if (r.isSet("curve")) {
                Config curve = object(r, "curve");
                if (curve != null) {
                    SettingsReader k = new SettingsReader(curve, CURVE_KEYS);
                    String[] pair = new String[2];
                    k.string("public-key", "a CURVE key: 40 characters of Z85", s -> pair[0] = key(k, "public-key", s));
                    k.string("secret-key", "a CURVE key: 40 characters of Z85", s -> pair[1] = key(k, "secret-key", s));
                    if (k.problems().isEmpty() && (pair[0] == null || pair[1] == null)) {
                        k.problem(pair[0] == null ? "public-key" : "secret-key", "missing", "a CURVE key: 40 "
                                + "characters of Z85");
                    }
                    if (k.problems().isEmpty()) {
                        curve(pair[0], pair[1]);
                    }
                    nest(r, "curve", k);
                }
            }
            if (r.isSet("peers")) {
                List<? extends Config> list;
                try {
                    list = settings.getConfigList("peers");
                } catch (com.typesafe.config.ConfigException e) {
                    r.problem("peers", "is " + SettingsReader.describe(settings.getValue("peers")),
                            "a list of { id = 2, endpoint = \"tcp://127.0.0.1:7102\" }");
                    list = List.of();
                }
                for (int i = 0; i < list.size(); i++) {
                    SettingsReader p = new SettingsReader(list.get(i), PEER_KEYS);
                    Object[] peer = new Object[3];
                    p.integer("id", "the id of another node, an integer in 0.." + Handle.MAX_NODE, id -> {
                        if (id == node.id()) {
                            throw new IllegalArgumentException("this node");
                        }
                        peer[0] = Handle.requireNodeId(id);
                    });
                    p.string("endpoint", ZmqAddresses.expectedEndpoint(false), s -> peer[1] = endpoint(p, "endpoint",
                            s, false).orElse(null));
                    p.string("public-key", "a CURVE key: 40 characters of Z85", s -> peer[2] = key(p, "public-key", s));
                    for (String required : List.of("id", "endpoint")) {
                        if (!p.isSet(required)) {
                            p.problem(required, "missing", required.equals("id") ? "the peer's node id"
                                    : ZmqAddresses.expectedEndpoint(false));
                        }
                    }
                    if (p.problems().isEmpty()) {
                        if (peer[2] != null) {
                            peer((Integer) peer[0], (String) peer[1], (String) peer[2]);
                        } else {
                            peer((Integer) peer[0], (String) peer[1]);
                        }
                    }
                    nest(r, "peers[" + i + "]", p);
                }
            }
            r.throwIfInvalid();
            return this;
        }

        private static void nest(SettingsReader outer, String key, SettingsReader inner) {
            for (InvalidSettingsException.Problem p : inner.problems()) {
                outer.problem(key + "." + p.key(), p.problem(), p.expected());
            }
        }

        private static Config object(SettingsReader r, String key) {
            try {
                return r.config().getConfig(key);
            } catch (com.typesafe.config.ConfigException e) {
                r.problem(key, "is " + SettingsReader.describe(r.config().getValue(key)), "an object");
                return null;
            }
        }

        private static Optional<String> endpoint(SettingsReader r, String key, String s, boolean bind) {
            Optional<String> problem = ZmqAddresses.endpointProblem(s, bind);
            problem.ifPresent(p -> r.problem(key, p, ZmqAddresses.expectedEndpoint(bind)));
            return problem.isPresent() ? Optional.empty() : Optional.of(s);
        }

        private static String key(SettingsReader r, String key, String s) {
            Optional<String> problem = ZmqAddresses.curveKeyProblem(s);
            problem.ifPresent(p -> r.problem(key, p, "a CURVE key: 40 characters of Z85"));
            return problem.isPresent() ? null : s;
        }

        /**
         * @param endpoint the TCP endpoint this node's inbox binds, e.g. {@code tcp://127.0.0.1:7001} or
         *                 {@code tcp://127.0.0.1:*} for a free port
         * @return this
         * @throws ZmqAddresses.InvalidAddressException if it is not such an endpoint (the same rule the launcher
         *         applies to its config files)
         */
        public Builder inbox(String endpoint) {
            this.inbox = ZmqAddresses.requireEndpoint("cluster inbox", Objects.requireNonNull(endpoint, "inbox"), true);
            return this;
        }

        /**
         * @param nodeId the peer's node id
         * @param endpoint the peer's inbox endpoint
         * @return this
         * @throws IllegalArgumentException if {@code nodeId} is this node's or out of range
         * @throws ZmqAddresses.InvalidAddressException if {@code endpoint} is not a TCP endpoint to connect to
         *         ({@code tcp://host:port}, no wildcard)
         */
        public Builder peer(int nodeId, String endpoint) {
            if (nodeId == node.id()) {
                throw new IllegalArgumentException("peer " + nodeId + " is this node itself");
            }
            Handle.requireNodeId(nodeId);
            peers.put(nodeId, ZmqAddresses.requireEndpoint("inbox of peer " + nodeId,
                    Objects.requireNonNull(endpoint, "endpoint"), false));
            return this;
        }

        /**
         * A peer with CURVE: its inbox's public key (Z85, 40 characters), also allowed as a client of ours.
         *
         * @param nodeId the peer's node id
         * @param endpoint its inbox endpoint
         * @param publicKeyZ85 its public key
         * @return this
         * @throws ZmqAddresses.InvalidAddressException if the key is not 40 characters of Z85 (the message never
         *         shows the key)
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
         * @throws ZmqAddresses.InvalidAddressException if a key is not 40 characters of Z85 (never shown)
         */
        public Builder curve(String publicKeyZ85, String secretKeyZ85) {
            this.publicKey = requireKey("public key", publicKeyZ85);
            this.secretKey = requireKey("secret key", secretKeyZ85);
            return this;
        }

        /**
         * @param publicKeyZ85 an extra client key the inbox accepts (CURVE only)
         * @return this
         * @throws ZmqAddresses.InvalidAddressException if the key is not 40 characters of Z85
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
         * @param bytes the largest message sent or accepted, header included (default 1 MiB)
         * @return this
         */
        public Builder maxFrameBytes(int bytes) {
            if (bytes < MIN_FRAME_BYTES || bytes > MAX_FRAME_BYTES) {
                throw new IllegalArgumentException("maxFrameBytes must be " + MIN_FRAME_BYTES + ".." + MAX_FRAME_BYTES
                        + ", was " + bytes);
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        private static BackPressure backPressureNamed(String s) {
            return switch (s) {
                case "block" -> BackPressure.BLOCK;
                case "fail" -> BackPressure.FAIL;
                default -> throw new IllegalArgumentException("not block or fail");
            };
        }

        /**
         * @param messages tells and requests queued per link before back-pressure applies (default
         *                 {@code loomnet.cluster.link-queue-limit} in this library's {@code reference.conf}: 100000)
         * @return this
         */
        public Builder linkQueueLimit(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("linkQueueLimit must be positive, was " + messages);
            }
            this.linkQueueLimit = messages;
            return this;
        }

        /**
         * What a tell or request does when its link is full (default {@code loomnet.cluster.back-pressure} and
         * {@code send-timeout} in this library's {@code reference.conf}: {@link BackPressure#BLOCK} for up to 2 s).
         *
         * @param policy wait for room, or fail at once
         * @param timeout how long {@link BackPressure#BLOCK} waits, positive; ignored by {@link BackPressure#FAIL}
         * @return this
         */
        public Builder backPressure(BackPressure policy, Duration timeout) {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("back-pressure timeout must be positive, was " + timeout);
            }
            this.backPressure = policy;
            this.sendTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long closing the cluster may take (default {@code loomnet.cluster.stop-timeout}: 3 s)
         * @return this
         */
        public Builder stopTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("stopTimeout must be positive, was " + timeout);
            }
            this.stopTimeout = timeout;
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
                    linkQueueLimit, highWaterMark, backPressure, sendTimeout, startTimeout, stopTimeout, curve);
            Codec c = codec == null ? Codec.builder().build() : codec;
            Cluster cluster;
            try {
                cluster = new Cluster(node, config, c);
            } catch (io.loomnet.transport.zmq.MachineException | io.loomnet.scope.LoopStartException e) {
                throw new ClusterException("cluster of node " + node.id() + " did not start: " + e.getMessage(), e);
            }
            try {
                cluster.attach(c);
            } catch (RuntimeException e) {
                cluster.shutdown();
                throw e;
            }
            return cluster;
        }

        private static String requireKey(String what, String z85) {
            return ZmqAddresses.requireCurveKey(what, Objects.requireNonNull(z85, what));
        }
    }
}
