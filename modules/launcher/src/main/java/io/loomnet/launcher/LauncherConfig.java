package io.loomnet.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.cluster.Cluster;
import io.loomnet.transport.zmq.codec.Codec;
import io.loomnet.transport.zmq.gateway.GatewayConfig;
import io.loomnet.transport.zmq.gateway.ServiceGateway;

/**
 * A node described by a HOCON file, validated completely before anything starts.
 *
 * <pre>
 * loomnet {
 *   node-id = 1                 # 0..65535
 *   dispatcher = virtual        # virtual | platform | pooled
 *   pooled-workers = 4          # platform workers of the pooled dispatcher (default: processors)
 *   throughput = 64             # messages a service handles before yielding its thread
 *   close-timeout = 10s         # how long closing may take in all
 *   stuck-threshold = 5s        # a handler running one message longer is reported
 *   monitor-interval = 1s       # how often the monitor looks
 *   services = [                # launched in order; the node closes them in reverse
 *     { module = console, args = ["port=7001"] }
 *     { module = logger, name = log, args { level = debug } }
 *   ]
 *   cluster {                   # optional: links to other nodes (io.loomnet.transport.zmq.cluster.Cluster)
 *     inbox = "tcp://127.0.0.1:7101"
 *     peers = [ { id = 2, endpoint = "tcp://127.0.0.1:7102" } ]   # public-key = "..." per peer with curve
 *     heartbeat = 200ms, down-after = 900ms, max-frame = 1MiB
 *     curve { public-key = "...", secret-key = ${?LOOMNET_SECRET_KEY} }   # optional
 *   }
 *   gateways = [                # optional: ZeroMQ service gateways for clients in any language
 *     { endpoint = "tcp://127.0.0.1:5555", call-timeout = 5s, max-payload = 1MiB, max-in-flight = 10000 }
 *   ]
 * }
 * </pre>
 *
 * <p>The cluster's payload codec is the built-in one ({@code byte[]}, {@code String}, boxed primitives,
 * {@code Handle}, {@code Terminated}, lists): a config file cannot register types. An application that sends
 * its own records across passes its codec from code, {@link #launch(Codec)}.
 *
 * <p>Keys outside {@code loomnet} are free for substitutions ({@code port = 7002, port = ${?CHAT_PORT}}, then
 * {@code args = ["port="${port}]}); environment variables resolve {@code ${?VAR}}. Unknown keys inside
 * {@code loomnet} or a service entry, wrong types, out-of-range values, unknown modules, bad module arguments
 * and duplicate service names are {@link ConfigError}s naming the file, line, key path and what was expected.
 *
 * <p><b>Threading.</b> Immutable and thread-safe once loaded.
 */
public final class LauncherConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LauncherConfig.class);
    private static final List<String> NODE_KEYS = List.of("node-id", "dispatcher", "pooled-workers", "throughput",
            "close-timeout", "stuck-threshold", "monitor-interval", "services", "cluster", "gateways");
    private static final List<String> SERVICE_KEYS = List.of("module", "name", "args");
    private static final List<String> CLUSTER_KEYS = List.of("inbox", "peers", "heartbeat", "down-after", "max-frame",
            "curve");
    private static final List<String> PEER_KEYS = List.of("id", "endpoint", "public-key");
    private static final List<String> CURVE_KEYS = List.of("public-key", "secret-key");
    private static final List<String> GATEWAY_KEYS = List.of("endpoint", "call-timeout", "max-payload",
            "max-in-flight");
    /** tcp://host:port; host is *, [IPv6], or a name/IPv4 address; port is 1..65535 or * (bind only). */
    private static final Pattern ENDPOINT = Pattern.compile(
            "tcp://(\\*|\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\\*|\\d{1,5})");
    private static final String Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    private static final Duration HEARTBEAT_DEFAULT = Duration.ofMillis(200);
    private static final Duration DOWN_AFTER_DEFAULT = Duration.ofMillis(900);
    private static final int MAX_FRAME_DEFAULT = 1 << 20;
    /** The cluster frame header; a frame limit must leave room for a body. */
    private static final int FRAME_HEADER = io.loomnet.transport.zmq.cluster.Cluster.FRAME_HEADER_BYTES;

    private final String file;
    private final Launcher launcher;
    private final int nodeId;
    private final Dispatcher dispatcher;
    private final Integer pooledWorkers;
    private final Integer throughput;
    private final Duration closeTimeout;
    private final Duration stuckThreshold;
    private final Duration monitorInterval;
    private final List<ServiceEntry> services;
    private final Optional<ClusterEntry> cluster;
    private final List<GatewayEntry> gateways;

    /**
     * One entry of {@code loomnet.services}.
     *
     * @param path its key path, for example {@code loomnet.services[0]}
     * @param line its line in the file, or -1
     * @param module the module name
     * @param name the local name to register, if any
     * @param args the module's {@code key=value} arguments
     */
    public record ServiceEntry(String path, int line, String module, Optional<String> name, List<String> args) {
        /** Defensive copy. */
        public ServiceEntry {
            args = List.copyOf(args);
        }
    }

    /**
     * A peer of {@code loomnet.cluster}.
     *
     * @param id its node id
     * @param endpoint its inbox endpoint
     * @param publicKey its CURVE public key (Z85), present exactly when CURVE is on
     */
    public record Peer(int id, String endpoint, Optional<String> publicKey) {
    }

    /**
     * This node's CURVE key pair. {@link #toString()} does not show the secret key.
     *
     * @param publicKey Z85, 40 characters
     * @param secretKey Z85, 40 characters
     */
    public record Curve(String publicKey, String secretKey) {
        @Override
        public String toString() {
            return "Curve[publicKey=" + publicKey + ", secretKey=(hidden)]";
        }
    }

    /**
     * {@code loomnet.cluster}.
     *
     * @param path {@code loomnet.cluster}
     * @param line its line in the file, or -1
     * @param inbox the endpoint this node's inbox binds
     * @param peers the peers, in file order
     * @param heartbeat how often links ping their peers
     * @param downAfter the silence after which a peer is declared down
     * @param maxFrameBytes the largest cluster frame, header included
     * @param curve this node's key pair, if CURVE is on
     */
    public record ClusterEntry(String path, int line, String inbox, List<Peer> peers, Duration heartbeat,
            Duration downAfter, int maxFrameBytes, Optional<Curve> curve) {
        /** Defensive copy. */
        public ClusterEntry {
            peers = List.copyOf(peers);
        }

        /**
         * @param node the node to link
         * @param codec the payload codec
         * @return a builder with these settings
         */
        public Cluster.Builder builder(Node node, Codec codec) {
            Cluster.Builder b = Cluster.builder(node).inbox(inbox).heartbeat(heartbeat, downAfter)
                    .maxFrameBytes(maxFrameBytes).codec(codec);
            curve.ifPresent(c -> b.curve(c.publicKey(), c.secretKey()));
            for (Peer p : peers) {
                if (p.publicKey().isPresent()) {
                    b.peer(p.id(), p.endpoint(), p.publicKey().get());
                } else {
                    b.peer(p.id(), p.endpoint());
                }
            }
            return b;
        }
    }

    /**
     * One entry of {@code loomnet.gateways}.
     *
     * @param path its key path, for example {@code loomnet.gateways[0]}
     * @param line its line in the file, or -1
     * @param endpoint the endpoint it binds
     * @param config its limits
     */
    public record GatewayEntry(String path, int line, String endpoint, GatewayConfig config) {
    }

    /**
     * A node started from a config, with its cluster and gateways. Closing the node closes them too.
     *
     * @param node the node
     * @param cluster its cluster, if {@code loomnet.cluster} is set
     * @param gateways its gateways, in file order
     */
    public record Running(Node node, Optional<Cluster> cluster, List<ServiceGateway> gateways) {
        /** Defensive copy. */
        public Running {
            gateways = List.copyOf(gateways);
        }
    }

    private LauncherConfig(String file, Launcher launcher, Reader r) {
        this.file = file;
        this.launcher = launcher;
        this.nodeId = r.nodeId;
        this.dispatcher = r.dispatcher;
        this.pooledWorkers = r.pooledWorkers;
        this.throughput = r.throughput;
        this.closeTimeout = r.closeTimeout;
        this.stuckThreshold = r.stuckThreshold;
        this.monitorInterval = r.monitorInterval;
        this.services = List.copyOf(r.services);
        this.cluster = Optional.ofNullable(r.cluster);
        this.gateways = List.copyOf(r.gateways);
    }

    /**
     * Reads and validates a config file.
     *
     * @param file the HOCON file
     * @param launcher resolves module names and validates their arguments
     * @return the config
     * @throws ConfigError naming the file, line, key path and what was expected
     */
    public static LauncherConfig load(Path file, Launcher launcher) {
        return load(file, launcher, ConfigFactory.empty());
    }

    /**
     * Reads and validates a config file, with values that take precedence over the file's (for example
     * {@code ConfigFactory.parseMap(Map.of("port", 0))} to override a substitution variable in a test).
     *
     * @param file the HOCON file
     * @param launcher resolves module names and validates their arguments
     * @param overrides values that win over the file's
     * @return the config
     * @throws ConfigError naming the file, line, key path and what was expected
     */
    public static LauncherConfig load(Path file, Launcher launcher, Config overrides) {
        Objects.requireNonNull(file, "file");
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(name, -1, "", "no such file (expected a HOCON config file)", null);
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw fromParser(name, e);
        }
        return fromConfig(name, parsed, launcher, overrides);
    }

    /**
     * Reads and validates config text, for tests and embedding.
     *
     * @param origin a name for the text in errors, like a file name
     * @param text HOCON
     * @param launcher resolves module names and validates their arguments
     * @return the config
     * @throws ConfigError naming the origin, line, key path and what was expected
     */
    public static LauncherConfig parse(String origin, String text, Launcher launcher) {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(origin)
                    .setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw fromParser(origin, e);
        }
        return fromConfig(origin, parsed, launcher, ConfigFactory.empty());
    }

    private static LauncherConfig fromConfig(String name, Config parsed, Launcher launcher, Config overrides) {
        Objects.requireNonNull(launcher, "launcher");
        Config resolved;
        try {
            resolved = overrides.withFallback(parsed)
                    .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
        } catch (ConfigException e) {
            throw fromParser(name, e);
        }
        return new LauncherConfig(name, launcher, new Reader(name, launcher, resolved.root()));
    }

    private static ConfigError fromParser(String file, ConfigException e) {
        int line = e.origin() == null ? -1 : e.origin().lineNumber();
        String msg = e.getMessage();
        // The parser's message starts with its own origin ("chat.conf: 3: ..."); keep only the explanation.
        int cut = msg.indexOf(": ", msg.indexOf(": ") + 1);
        if (e.origin() != null && msg.startsWith(e.origin().description()) && cut > 0) {
            msg = msg.substring(e.origin().description().length()).replaceFirst("^:\\s*", "");
        }
        String problem = e instanceof ConfigException.UnresolvedSubstitution
                ? msg + " (define it in the file, or as an environment variable for ${?VAR})"
                : "not valid HOCON: " + msg;
        return new ConfigError(file, line, "", problem, e);
    }

    /** @return the file (or origin) this config came from */
    public String file() {
        return file;
    }

    /** @return {@code loomnet.node-id} */
    public int nodeId() {
        return nodeId;
    }

    /** @return {@code loomnet.dispatcher} */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** @return {@code loomnet.services}, in launch order */
    public List<ServiceEntry> services() {
        return services;
    }

    /** @return {@code loomnet.cluster}, if set */
    public Optional<ClusterEntry> cluster() {
        return cluster;
    }

    /** @return {@code loomnet.gateways}, in file order */
    public List<GatewayEntry> gateways() {
        return gateways;
    }

    /** @return a fresh node builder with this config's settings */
    public Node.Builder nodeBuilder() {
        Node.Builder b = Node.builder().nodeId(nodeId).dispatcher(dispatcher);
        if (pooledWorkers != null) {
            b.pooledWorkers(pooledWorkers);
        }
        if (throughput != null) {
            b.throughput(throughput);
        }
        if (closeTimeout != null) {
            b.closeTimeout(closeTimeout);
        }
        if (stuckThreshold != null) {
            b.stuckThreshold(stuckThreshold);
        }
        if (monitorInterval != null) {
            b.monitorInterval(monitorInterval);
        }
        return b;
    }

    /**
     * Starts the node and launches the services in order. If one fails to start, the node is closed again
     * and the failure names the entry. Same as {@code launch().node()}.
     *
     * @return the running node
     * @throws LaunchException naming the file, entry and module if a service failed to start
     */
    public Node start() {
        return launch().node();
    }

    /**
     * {@link #launch(Codec)} with the built-in codec ({@code byte[]}, {@code String}, boxed primitives,
     * {@code Handle}, {@code Terminated}, lists).
     *
     * @return the running node, cluster and gateways
     * @throws LaunchException naming the file and entry of whatever failed to start
     */
    public Running launch() {
        return launch(Codec.builder().build());
    }

    /**
     * Starts the node, then links the cluster ({@code loomnet.cluster}), then launches the services in order,
     * then binds the gateways ({@code loomnet.gateways}). If any of them fails, the node is closed again (with
     * whatever had started) and the failure names the entry.
     *
     * @param codec the cluster's payload codec: every node must register the same types with the same ids.
     *              Unused without {@code loomnet.cluster}.
     * @return the running node, cluster and gateways
     * @throws LaunchException naming the file and entry of whatever failed to start
     */
    public Running launch(Codec codec) {
        Objects.requireNonNull(codec, "codec");
        Node node = nodeBuilder().start();
        Cluster linked = null;
        if (cluster.isPresent()) {
            ClusterEntry c = cluster.get();
            try {
                linked = c.builder(node, codec).start();
            } catch (RuntimeException ex) {
                throw failed(node, c.line(), c.path(), "cluster inbox " + c.inbox() + " did not start", ex);
            }
        }
        for (ServiceEntry e : services) {
            try {
                if (e.name().isPresent()) {
                    launcher.launch(node, e.module(), e.name().get(), e.args());
                } else {
                    launcher.launch(node, e.module(), e.args());
                }
            } catch (RuntimeException ex) {
                throw failed(node, e.line(), e.path(), "module '" + e.module() + "' did not start", ex);
            }
        }
        List<ServiceGateway> bound = new ArrayList<>();
        for (GatewayEntry g : gateways) {
            try {
                bound.add(ServiceGateway.bind(node, g.endpoint(), g.config()));
            } catch (RuntimeException ex) {
                throw failed(node, g.line(), g.path(), "gateway " + g.endpoint() + " did not start", ex);
            }
        }
        return new Running(node, Optional.ofNullable(linked), bound);
    }

    private LaunchException failed(Node node, int line, String path, String what, RuntimeException ex) {
        CloseReport report = node.shutdown();
        if (!report.clean()) {
            LOG.warn("node {} did not close cleanly after a failed launch: {}", nodeId, report);
        }
        String cause = ex.getMessage();
        for (Throwable t = ex.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null && (cause == null || !cause.contains(t.getMessage()))) {
                cause = cause == null ? t.getMessage() : cause + ": " + t.getMessage();
            }
        }
        return new LaunchException(file + (line > 0 ? ":" + line : "") + ": " + path + ": " + what + ": " + cause,
                ex);
    }

    @Override
    public String toString() {
        return "LauncherConfig[" + file + ", node " + nodeId + ", " + services.size() + " service(s)"
                + cluster.map(c -> ", cluster inbox " + c.inbox() + " with " + c.peers().size() + " peer(s)")
                        .orElse("")
                + (gateways.isEmpty() ? "" : ", " + gateways.size() + " gateway(s)") + "]";
    }

    /** Walks the tree once, throwing the first problem. */
    private static final class Reader {
        private final String file;
        int nodeId = 1;
        Dispatcher dispatcher = Dispatcher.VIRTUAL;
        Integer pooledWorkers;
        Integer throughput;
        Duration closeTimeout;
        Duration stuckThreshold;
        Duration monitorInterval;
        final List<ServiceEntry> services = new ArrayList<>();
        ClusterEntry cluster;
        final List<GatewayEntry> gateways = new ArrayList<>();
        /** Bind endpoints with a fixed port, to the key path that binds them. */
        private final Map<String, String> bound = new HashMap<>();

        Reader(String file, Launcher launcher, ConfigObject root) {
            this.file = file;
            ConfigValue lv = root.get("loomnet");
            if (lv == null) {
                throw error(root, "loomnet", "missing", "an object such as loomnet { node-id = 1, services = [ ... ] }");
            }
            ConfigObject lo = object(lv, "loomnet");
            checkKeys(lo, "loomnet", NODE_KEYS);
            nodeId = integer(lo, "loomnet", "node-id", 1, 0, Handle.MAX_NODE);
            dispatcher = dispatcher(lo);
            pooledWorkers = lo.containsKey("pooled-workers")
                    ? integer(lo, "loomnet", "pooled-workers", 1, 1, 4096) : null;
            throughput = lo.containsKey("throughput") ? integer(lo, "loomnet", "throughput", 64, 1, 1_000_000) : null;
            closeTimeout = duration(lo, "loomnet", "close-timeout");
            stuckThreshold = duration(lo, "loomnet", "stuck-threshold");
            monitorInterval = duration(lo, "loomnet", "monitor-interval");
            ConfigValue sv = lo.get("services");
            if (sv != null) {
                if (sv.valueType() != ConfigValueType.LIST) {
                    throw error(sv, "loomnet.services", "is " + describe(sv), "a list of service entries such as "
                            + "[ { module = console, args = [\"port=7001\"] } ]");
                }
                ConfigList list = (ConfigList) sv;
                Map<String, String> names = new HashMap<>();
                for (int i = 0; i < list.size(); i++) {
                    services.add(service(launcher, list.get(i), "loomnet.services[" + i + "]", names));
                }
            }
            ConfigValue cv = lo.get("cluster");
            if (cv != null) {
                cluster = cluster(cv, "loomnet.cluster");
            }
            ConfigValue gv = lo.get("gateways");
            if (gv != null) {
                if (gv.valueType() != ConfigValueType.LIST) {
                    throw error(gv, "loomnet.gateways", "is " + describe(gv), "a list of gateways such as "
                            + "[ { endpoint = \"tcp://127.0.0.1:5555\" } ]");
                }
                ConfigList list = (ConfigList) gv;
                for (int i = 0; i < list.size(); i++) {
                    gateways.add(gateway(list.get(i), "loomnet.gateways[" + i + "]"));
                }
            }
        }

        private ClusterEntry cluster(ConfigValue v, String path) {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw error(v, path, "is " + describe(v), "an object such as { inbox = \"tcp://127.0.0.1:7101\", "
                        + "peers = [ { id = 2, endpoint = \"tcp://127.0.0.1:7102\" } ] }");
            }
            ConfigObject o = (ConfigObject) v;
            checkKeys(o, path, CLUSTER_KEYS);
            ConfigValue iv = o.get("inbox");
            if (iv == null) {
                throw error(o, path + ".inbox", "missing", "the endpoint this node's inbox binds, such as "
                        + "\"tcp://127.0.0.1:7101\"");
            }
            String inbox = endpoint(iv, path + ".inbox", true);
            Duration heartbeat = duration(o, path, "heartbeat");
            Duration downAfter = duration(o, path, "down-after");
            Duration hb = heartbeat != null ? heartbeat : HEARTBEAT_DEFAULT;
            Duration da = downAfter != null ? downAfter : DOWN_AFTER_DEFAULT;
            if (da.compareTo(hb) <= 0) {
                if (downAfter != null) {
                    throw error(o.get("down-after"), path + ".down-after", "is " + da + ", not longer than the "
                            + "heartbeat (" + hb + ")", "a duration longer than " + path + ".heartbeat");
                }
                throw error(o.get("heartbeat"), path + ".heartbeat", "is " + hb + ", not shorter than the default "
                        + "down-after (" + da + ")", "a shorter heartbeat, or a longer " + path + ".down-after");
            }
            int maxFrame = bytes(o, path, "max-frame", MAX_FRAME_DEFAULT, FRAME_HEADER + 1, Integer.MAX_VALUE);
            Optional<Curve> curve = Optional.empty();
            ConfigValue kv = o.get("curve");
            if (kv != null) {
                if (kv.valueType() != ConfigValueType.OBJECT) {
                    throw error(kv, path + ".curve", "is " + describe(kv), "an object { public-key = \"...\", "
                            + "secret-key = \"...\" } (Z85, 40 characters each)");
                }
                ConfigObject ko = (ConfigObject) kv;
                checkKeys(ko, path + ".curve", CURVE_KEYS);
                curve = Optional.of(new Curve(key(ko, path + ".curve", "public-key", "this node's"),
                        key(ko, path + ".curve", "secret-key", "this node's")));
            }
            List<Peer> peers = new ArrayList<>();
            ConfigValue pv = o.get("peers");
            if (pv != null) {
                if (pv.valueType() != ConfigValueType.LIST) {
                    throw error(pv, path + ".peers", "is " + describe(pv), "a list of peers such as "
                            + "[ { id = 2, endpoint = \"tcp://127.0.0.1:7102\" } ]");
                }
                ConfigList list = (ConfigList) pv;
                Map<Integer, String> ids = new HashMap<>();
                for (int i = 0; i < list.size(); i++) {
                    String pp = path + ".peers[" + i + "]";
                    Peer p = peer(list.get(i), pp, inbox, curve.isPresent());
                    String prev = ids.putIfAbsent(p.id(), pp);
                    if (prev != null) {
                        throw error(((ConfigObject) list.get(i)).get("id"), pp + ".id", "node " + p.id()
                                + " is already configured by " + prev, "a unique node id");
                    }
                    peers.add(p);
                }
            }
            return new ClusterEntry(path, line(o), inbox, peers, hb, da, maxFrame, curve);
        }

        private Peer peer(ConfigValue v, String path, String inbox, boolean curve) {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw error(v, path, "is " + describe(v), "an object such as { id = 2, endpoint = "
                        + "\"tcp://127.0.0.1:7102\" }");
            }
            ConfigObject o = (ConfigObject) v;
            checkKeys(o, path, PEER_KEYS);
            if (!o.containsKey("id")) {
                throw error(o, path + ".id", "missing", "the peer's node id, an integer in 0.." + Handle.MAX_NODE);
            }
            int id = integer(o, path, "id", 0, 0, Handle.MAX_NODE);
            if (id == nodeId) {
                throw error(o.get("id"), path + ".id", "is " + id + ", this node's own id (loomnet.node-id)",
                        "the id of another node");
            }
            ConfigValue ev = o.get("endpoint");
            if (ev == null) {
                throw error(o, path + ".endpoint", "missing", "the peer's inbox endpoint, such as "
                        + "\"tcp://127.0.0.1:7102\"");
            }
            String endpoint = endpoint(ev, path + ".endpoint", false);
            if (endpoint.equals(inbox)) {
                throw error(ev, path + ".endpoint", "is this node's own inbox (loomnet.cluster.inbox)",
                        "the inbox endpoint of node " + id);
            }
            Optional<String> key = Optional.empty();
            if (curve) {
                if (!o.containsKey("public-key")) {
                    throw error(o, path + ".public-key", "missing while loomnet.cluster.curve is set",
                            "node " + id + "'s CURVE public key (Z85, 40 characters)");
                }
                key = Optional.of(key(o, path, "public-key", "node " + id + "'s"));
            } else if (o.containsKey("public-key")) {
                throw error(o.get("public-key"), path + ".public-key", "is set but loomnet.cluster.curve is not",
                        "no peer keys, or loomnet.cluster.curve { public-key, secret-key } to turn CURVE on");
            }
            return new Peer(id, endpoint, key);
        }

        private GatewayEntry gateway(ConfigValue v, String path) {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw error(v, path, "is " + describe(v), "an object such as { endpoint = \"tcp://127.0.0.1:5555\" }");
            }
            ConfigObject o = (ConfigObject) v;
            checkKeys(o, path, GATEWAY_KEYS);
            ConfigValue ev = o.get("endpoint");
            if (ev == null) {
                throw error(o, path + ".endpoint", "missing", "the endpoint the gateway binds, such as "
                        + "\"tcp://127.0.0.1:5555\"");
            }
            String endpoint = endpoint(ev, path + ".endpoint", true);
            GatewayConfig config = GatewayConfig.defaults();
            Duration timeout = duration(o, path, "call-timeout");
            if (timeout != null) {
                config = config.withCallTimeout(timeout);
            }
            config = config.withMaxPayloadBytes(bytes(o, path, "max-payload", config.maxPayloadBytes(), 0,
                    Integer.MAX_VALUE));
            config = config.withMaxInFlight(integer(o, path, "max-in-flight", config.maxInFlight(), 1, 10_000_000));
            return new GatewayEntry(path, line(o), endpoint, config);
        }

        /** A TCP endpoint; {@code bind} endpoints may use * for the host or the port and must not repeat. */
        private String endpoint(ConfigValue v, String path, boolean bind) {
            String expected = bind
                    ? "a TCP endpoint to bind such as \"tcp://127.0.0.1:5555\" (port 1..65535, or * for any free port)"
                    : "a TCP endpoint to connect to such as \"tcp://127.0.0.1:7102\" (a host, and a port in 1..65535)";
            String s = string(v, path, expected);
            Matcher m = ENDPOINT.matcher(s);
            if (!m.matches()) {
                throw error(v, path, "is '" + s + "'", expected);
            }
            String host = m.group(1);
            String port = m.group(2);
            if (!bind && (host.equals("*") || port.equals("*"))) {
                throw error(v, path, "is '" + s + "', a wildcard", expected);
            }
            if (!port.equals("*") && (Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
                throw error(v, path, "has port " + port, expected);
            }
            if (bind && !port.equals("*")) {
                String prev = bound.putIfAbsent(s, path);
                if (prev != null) {
                    throw error(v, path, "'" + s + "' is already bound by " + prev, "an endpoint of its own");
                }
            }
            return s;
        }

        /** A Z85 CURVE key; the value itself is never echoed (it may be a secret). */
        private String key(ConfigObject o, String parent, String key, String whose) {
            String path = parent + "." + key;
            String expected = whose + " CURVE " + key.replace("-key", "") + " key: 40 characters of Z85";
            ConfigValue v = o.get(key);
            if (v == null) {
                throw error(o, path, "missing", expected);
            }
            if (v.valueType() != ConfigValueType.STRING) {
                throw error(v, path, "is not a string", expected);
            }
            String s = (String) v.unwrapped();
            if (s.length() != 40) {
                throw error(v, path, "is " + s.length() + " characters long", expected);
            }
            for (int i = 0; i < s.length(); i++) {
                if (Z85.indexOf(s.charAt(i)) < 0) {
                    throw error(v, path, "has a character outside Z85 at position " + (i + 1), expected);
                }
            }
            return s;
        }

        private int bytes(ConfigObject o, String parent, String key, int fallback, long min, long max) {
            ConfigValue v = o.get(key);
            if (v == null) {
                return fallback;
            }
            String path = parent + "." + key;
            String expected = "a size in " + min + ".." + max + " bytes, such as 65536, 64KiB or 1MiB";
            long b;
            try {
                b = o.toConfig().getBytes(key);
            } catch (ConfigException e) {
                throw error(v, path, "is " + describe(v), expected);
            }
            if (b < min || b > max) {
                throw error(v, path, "is " + b + " bytes", expected);
            }
            return (int) b;
        }

        private ServiceEntry service(Launcher launcher, ConfigValue v, String path, Map<String, String> names) {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw error(v, path, "is " + describe(v), "an object such as { module = logger, name = log }");
            }
            ConfigObject o = (ConfigObject) v;
            checkKeys(o, path, SERVICE_KEYS);
            ConfigValue mv = o.get("module");
            if (mv == null) {
                throw error(o, path + ".module", "missing", "a module name, one of " + launcher.moduleNames());
            }
            String module = string(mv, path + ".module", "a module name, one of " + launcher.moduleNames());
            Optional<String> name = Optional.empty();
            ConfigValue nv = o.get("name");
            if (nv != null) {
                String n = string(nv, path + ".name", "a service name");
                try {
                    ServiceOptions.defaults().withName(n);
                } catch (IllegalArgumentException e) {
                    throw error(nv, path + ".name", e.getMessage(), "a name without whitespace, '@' or a leading ':'");
                }
                String prev = names.putIfAbsent(n, path);
                if (prev != null) {
                    throw error(nv, path + ".name", "'" + n + "' is already used by " + prev, "a unique name");
                }
                name = Optional.of(n);
            }
            List<String> args = args(o.get("args"), path + ".args");
            try {
                launcher.spec(module, args);
            } catch (UnknownModuleException e) {
                throw new ConfigError(file, line(mv), path + ".module", e.getMessage(), e);
            } catch (ModuleArgumentException e) {
                ConfigValue av = o.get("args");
                throw new ConfigError(file, line(av != null ? av : o), path + ".args", e.key() + ": " + e.problem()
                        + " (module '" + module + "')", e);
            }
            return new ServiceEntry(path, line(o), module, name, args);
        }

        private List<String> args(ConfigValue v, String path) {
            List<String> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            String expected = "a list of \"key=value\" strings, or an object { key = value }";
            if (v.valueType() == ConfigValueType.LIST) {
                ConfigList list = (ConfigList) v;
                for (int i = 0; i < list.size(); i++) {
                    ConfigValue e = list.get(i);
                    if (e.valueType() == ConfigValueType.OBJECT || e.valueType() == ConfigValueType.LIST
                            || e.valueType() == ConfigValueType.NULL) {
                        throw error(e, path + "[" + i + "]", "is " + describe(e), expected);
                    }
                    out.add(String.valueOf(e.unwrapped()));
                }
            } else if (v.valueType() == ConfigValueType.OBJECT) {
                for (Map.Entry<String, ConfigValue> e : ((ConfigObject) v).entrySet()) {
                    ConfigValue ev = e.getValue();
                    if (ev.valueType() == ConfigValueType.OBJECT || ev.valueType() == ConfigValueType.LIST
                            || ev.valueType() == ConfigValueType.NULL) {
                        throw error(ev, path + "." + e.getKey(), "is " + describe(ev), "a string, number or boolean");
                    }
                    out.add(e.getKey() + "=" + ev.unwrapped());
                }
                out.sort(null); // ConfigObject order is unspecified; make launches reproducible
            } else {
                throw error(v, path, "is " + describe(v), expected);
            }
            return out;
        }

        private void checkKeys(ConfigObject o, String path, List<String> known) {
            for (String k : new TreeSet<>(o.keySet())) {
                if (!known.contains(k)) {
                    throw error(o.get(k), path + "." + k, "unknown key", "one of " + String.join(", ", known));
                }
            }
        }

        private ConfigObject object(ConfigValue v, String path) {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw error(v, path, "is " + describe(v), "an object { ... }");
            }
            return (ConfigObject) v;
        }

        private int integer(ConfigObject o, String parent, String key, int fallback, int min, int max) {
            ConfigValue v = o.get(key);
            if (v == null) {
                return fallback;
            }
            String path = parent + "." + key;
            String expected = "an integer in " + min + ".." + max;
            Object raw = v.unwrapped();
            long value;
            if (raw instanceof Integer || raw instanceof Long) {
                value = ((Number) raw).longValue();
            } else if (raw instanceof String s && s.trim().matches("-?\\d{1,18}")) {
                value = Long.parseLong(s.trim());
            } else {
                throw error(v, path, "is " + describe(v), expected);
            }
            if (value < min || value > max) {
                throw error(v, path, "is " + value, expected);
            }
            return (int) value;
        }

        private Dispatcher dispatcher(ConfigObject o) {
            ConfigValue v = o.get("dispatcher");
            if (v == null) {
                return Dispatcher.VIRTUAL;
            }
            String expected = "one of virtual, platform, pooled";
            String s = string(v, "loomnet.dispatcher", expected);
            try {
                return Dispatcher.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error(v, "loomnet.dispatcher", "is '" + s + "'", expected);
            }
        }

        private Duration duration(ConfigObject o, String parent, String key) {
            ConfigValue v = o.get(key);
            if (v == null) {
                return null;
            }
            String path = parent + "." + key;
            String expected = "a positive duration such as 10s or 500ms";
            Duration d;
            try {
                d = o.toConfig().getDuration(key);
            } catch (ConfigException e) {
                throw error(v, path, "is " + describe(v), expected);
            }
            if (d.isNegative() || d.isZero()) {
                throw error(v, path, "is " + d, expected);
            }
            return d;
        }

        private String string(ConfigValue v, String path, String expected) {
            if (v.valueType() != ConfigValueType.STRING) {
                throw error(v, path, "is " + describe(v), expected);
            }
            return (String) v.unwrapped();
        }

        private static String describe(ConfigValue v) {
            return switch (v.valueType()) {
                case STRING -> "the string '" + v.unwrapped() + "'";
                case NUMBER, BOOLEAN -> "the " + v.valueType().name().toLowerCase(Locale.ROOT) + " " + v.unwrapped();
                case NULL -> "null";
                case LIST -> "a list";
                case OBJECT -> "an object";
            };
        }

        private static int line(ConfigValue v) {
            return v == null || v.origin() == null ? -1 : v.origin().lineNumber();
        }

        private ConfigError error(ConfigValue at, String path, String problem, String expected) {
            return new ConfigError(file, line(at), path, problem + "; expected " + expected, null);
        }
    }
}
