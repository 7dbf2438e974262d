package io.loomnet.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

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
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.InvalidSettingsException;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.scope.CloseReport;
import io.loomnet.spi.SettingsReader;
import io.loomnet.transport.zmq.ZmqAddresses;
import io.loomnet.transport.zmq.cluster.Cluster;
import io.loomnet.transport.zmq.codec.Codec;
import io.loomnet.transport.zmq.gateway.GatewayConfig;
import io.loomnet.transport.zmq.gateway.ServiceGateway;

/**
 * A node described by a HOCON file, validated completely before anything starts.
 *
 * <p>Every setting, its default and its meaning is in the {@code reference.conf} of the library that owns it:
 * the scheduler's for the node's keys (checked by {@link Node.Builder#config}), the transport's for
 * {@code loomnet.cluster} and {@code loomnet.gateway} (gateway limits checked by {@link GatewayConfig#fromConfig}),
 * the launcher's for the rest, and for a module's settings {@code loomnet.modules.<module>} in the
 * {@code reference.conf} of the library that ships the module. The file is merged over them and checked in three ways, and <em>every</em> mistake is reported,
 * not only the first ({@link ConfigError#problems()}):
 * <ol>
 *   <li>an unknown-key walk: a key inside {@code loomnet} that the reference does not name (a typo) is an
 *   error; list entries (services, peers, gateways) have fixed keys;</li>
 *   <li>typed getters with ranges, and the shared rules for node ids ({@link Handle#requireNodeId}), endpoints
 *   and CURVE keys ({@link ZmqAddresses}); module arguments are checked by their module
 *   ({@link ServiceModule#create});</li>
 *   <li>Typesafe Config's own {@link Config#checkValid} against the reference, for anything the first two did
 *   not already report.</li>
 * </ol>
 *
 * <p>Keys outside {@code loomnet} are free for substitutions ({@code port = 7002, port = ${?CHAT_PORT}}, then
 * {@code args { port = ${port} }}); environment variables resolve {@code ${?VAR}}.
 *
 * <p>The cluster's payload codec is the built-in one; an application that sends its own records across passes
 * its codec from code, {@link #launch(Codec)}.
 *
 * <p><b>Threading.</b> Immutable and thread-safe once loaded.
 */
public final class LauncherConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LauncherConfig.class);
    private static final List<String> SERVICE_KEYS = List.of("module", "name", "args");
    private static final List<String> CLUSTER_KEYS = List.of("inbox", "peers", "heartbeat", "down-after", "max-frame",
            "curve");
    private static final List<String> PEER_KEYS = List.of("id", "endpoint", "public-key");
    private static final List<String> CURVE_KEYS = List.of("public-key", "secret-key");
    private static final List<String> GATEWAY_KEYS;

    static {
        List<String> keys = new ArrayList<>(List.of("endpoint"));
        keys.addAll(GatewayConfig.CONFIG_KEYS);
        GATEWAY_KEYS = List.copyOf(keys);
    }

    /**
     * Keys of {@code loomnet} that are not the node's: the launcher's ({@code services}, {@code gateways},
     * {@code launcher}, {@code modules}) and the transport's ({@code cluster}, {@code gateway}). The others in the
     * merged reference (the scheduler's {@code reference.conf}) go to {@link Node.Builder#config}.
     */
    private static final Set<String> NOT_THE_NODES = Set.of("services", "gateways", "launcher", "modules", "cluster",
            "gateway");

    private final String file;
    private final Launcher launcher;
    private final Config node;
    private final int nodeId;
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
     * @param args the entry's {@code args}, as a config subtree (the module's defaults not included)
     */
    public record ServiceEntry(String path, int line, String module, Optional<String> name, Config args) {
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

    private LauncherConfig(String file, Reader r) {
        this.file = file;
        this.launcher = r.launcher;
        this.node = r.node;
        this.nodeId = r.nodeId;
        this.services = List.copyOf(r.services);
        this.cluster = Optional.ofNullable(r.cluster);
        this.gateways = List.copyOf(r.gateways);
    }

    /**
     * Reads and validates a config file.
     *
     * @param file the HOCON file
     * @param launcher resolves module names, holds the reference settings, validates module arguments
     * @return the config
     * @throws ConfigError listing every mistake with its file, line, key path and what was expected
     */
    public static LauncherConfig load(Path file, Launcher launcher) {
        return load(file, launcher, ConfigFactory.empty());
    }

    /**
     * Reads and validates a config file, with values that take precedence over the file's (for example
     * {@code ConfigFactory.parseMap(Map.of("port", 0))} to override a substitution variable in a test).
     *
     * @param file the HOCON file
     * @param launcher resolves module names, holds the reference settings, validates module arguments
     * @param overrides values that win over the file's
     * @return the config
     * @throws ConfigError listing every mistake with its file, line, key path and what was expected
     */
    public static LauncherConfig load(Path file, Launcher launcher, Config overrides) {
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
     * @param launcher resolves module names, holds the reference settings, validates module arguments
     * @return the config
     * @throws ConfigError listing every mistake with its origin, line, key path and what was expected
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
        Reader r = new Reader(name, launcher, resolved);
        if (!r.errors.isEmpty()) {
            throw ConfigError.of(r.errors);
        }
        return new LauncherConfig(name, r);
    }

    private static ConfigError fromParser(String file, ConfigException e) {
        int line = e.origin() == null ? -1 : e.origin().lineNumber();
        String msg = e.getMessage();
        // The parser's message starts with its own origin ("chat.conf: 3: ..."); keep only the explanation.
        if (e.origin() != null && msg.startsWith(e.origin().description())) {
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

    /** @return {@code loomnet.dispatcher}, or the node's default (the scheduler's {@code reference.conf}) */
    public Dispatcher dispatcher() {
        return Dispatcher.valueOf(node.getString("dispatcher").toUpperCase(Locale.ROOT));
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

    /** @return the launcher, with this file's {@code loomnet.launcher} and {@code loomnet.modules} settings */
    public Launcher launcher() {
        return launcher;
    }

    /**
     * @return a fresh node builder with this config's node settings ({@link Node.Builder#config}); settings left
     *         {@code null} keep the builder's defaults
     */
    public Node.Builder nodeBuilder() {
        return Node.builder().config(nodeSettings(node));
    }

    /** The node's keys of {@code loomnet} (merged over the reference), for {@link Node.Builder#config}. */
    private static Config nodeSettings(Config loomnet) {
        ConfigObject o = loomnet.root();
        for (String k : NOT_THE_NODES) {
            o = o.withoutKey(k);
        }
        return o.toConfig();
    }

    /**
     * Starts the node and launches the services in order. Same as {@code launch().node()}.
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
        Node started = nodeBuilder().start();
        Cluster linked = null;
        if (cluster.isPresent()) {
            ClusterEntry c = cluster.get();
            try {
                linked = c.builder(started, codec).start();
            } catch (RuntimeException ex) {
                throw failed(started, c.line(), c.path(), "cluster inbox " + c.inbox() + " did not start", ex);
            }
        }
        for (ServiceEntry e : services) {
            try {
                launcher.launch(started, e.module(), e.name(), e.args());
            } catch (RuntimeException ex) {
                throw failed(started, e.line(), e.path(), "module '" + e.module() + "' did not start", ex);
            }
        }
        List<ServiceGateway> bound = new ArrayList<>();
        for (GatewayEntry g : gateways) {
            try {
                bound.add(ServiceGateway.bind(started, g.endpoint(), g.config()));
            } catch (RuntimeException ex) {
                throw failed(started, g.line(), g.path(), "gateway " + g.endpoint() + " did not start", ex);
            }
        }
        return new Running(started, Optional.ofNullable(linked), bound);
    }

    private LaunchException failed(Node started, int line, String path, String what, RuntimeException ex) {
        CloseReport report = started.shutdown();
        if (!report.clean()) {
            LOG.warn("node {} did not close cleanly after a failed launch: {}", nodeId, report);
        }
        return new LaunchException(file + (line > 0 ? ":" + line : "") + ": " + path + ": " + what + ": "
                + rootCauses(ex), ex);
    }

    /** The distinct messages along a cause chain, outermost first: one line however deep the nesting. */
    static String rootCauses(Throwable ex) {
        String cause = ex.getMessage();
        for (Throwable t = ex.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null && (cause == null || !cause.contains(t.getMessage()))) {
                cause = cause == null ? t.getMessage() : cause + ": " + t.getMessage();
            }
        }
        return cause == null ? ex.getClass().getSimpleName() : cause;
    }

    @Override
    public String toString() {
        return "LauncherConfig[" + file + ", node " + nodeId + ", " + services.size() + " service(s)"
                + cluster.map(c -> ", cluster inbox " + c.inbox() + " with " + c.peers().size() + " peer(s)")
                        .orElse("")
                + (gateways.isEmpty() ? "" : ", " + gateways.size() + " gateway(s)") + "]";
    }

    /** Walks the file once, collecting every problem; a problem stops only the key or entry it is in. */
    private static final class Reader {
        private final String file;
        private final Config ref;
        final List<ConfigError> errors = new ArrayList<>();
        Launcher launcher;
        Config node = ConfigFactory.empty();
        int nodeId;
        final List<ServiceEntry> services = new ArrayList<>();
        ClusterEntry cluster;
        final List<GatewayEntry> gateways = new ArrayList<>();
        /** Bind endpoints with a fixed port, to the key path that binds them. */
        private final Map<String, String> bound = new HashMap<>();

        Reader(String file, Launcher base, Config resolved) {
            this.file = file;
            this.ref = base.reference();
            this.launcher = base;
            this.nodeId = ref.getInt("loomnet.node-id");
            ConfigObject root = resolved.root();
            ConfigValue lv = root.get("loomnet");
            if (lv == null) {
                errors.add(error(root, "loomnet", "missing", "an object such as loomnet { node-id = 1, "
                        + "services = [ ... ] }"));
                return;
            }
            if (lv.valueType() != ConfigValueType.OBJECT) {
                errors.add(error(lv, "loomnet", "is " + describe(lv), "an object { ... }"));
                return;
            }
            ConfigObject lo = (ConfigObject) lv;
            unknownKeys(lo, ref.getObject("loomnet"), "loomnet");
            Config merged = resolved.withFallback(ref);
            Config lc = merged.getConfig("loomnet");
            node = lc;
            attempt(() -> {
                ConfigValue sv = lo.get("launcher");
                duration(lc.getConfig("launcher"), sv instanceof ConfigObject so ? so : lo, "loomnet.launcher",
                        "start-timeout");
                launcher = base.withSettings(merged);
            });
            // The node's settings: checked by Node.Builder.config itself (every problem, each with its key).
            try {
                // Only keys the reference names: the unknown-key walk above has reported the others.
                ConfigObject settings = nodeSettings(lc).root();
                for (String k : settings.keySet()) {
                    if (!ref.hasPathOrNull("loomnet." + ConfigUtil.joinPath(k))) {
                        settings = settings.withoutKey(k);
                    }
                }
                Node.builder().config(settings.toConfig());
                nodeId = lc.getInt("node-id");
            } catch (InvalidSettingsException e) {
                for (InvalidSettingsException.Problem p : e.problems()) {
                    errors.add(new ConfigError(file, p.line(), "loomnet." + p.key(), p.problem() + "; expected "
                            + p.expected(), null));
                }
            }
            list(lo, "loomnet.services", "services", "a list of service entries such as "
                    + "[ { module = console, args { port = 7001 } } ]", HashMap::new,
                    (v, path, names) -> services.add(service(v, path, names)));
            ConfigValue cv = lo.get("cluster");
            if (cv != null) {
                attempt(() -> cluster = cluster(cv, "loomnet.cluster", lc));
            }
            // loomnet.gateway: every gateway's defaults, checked once here; if it is wrong, the entries fall back to
            // the transport's reference.conf so that its mistakes are not reported again for each entry.
            Config gatewayDefaults = lc.getConfig("gateway");
            if (lo.get("gateway") instanceof ConfigObject go) {
                ConfigObject known = gatewayDefaults.root();
                for (String k : go.keySet()) {
                    if (!GatewayConfig.CONFIG_KEYS.contains(k)) {
                        known = known.withoutKey(k); // reported by the unknown-key walk
                    }
                }
                if (!gatewayProblems(known.toConfig(), "loomnet.gateway")) {
                    gatewayDefaults = ref.getConfig("loomnet.gateway");
                }
            }
            Config gatewayFallback = gatewayDefaults;
            list(lo, "loomnet.gateways", "gateways", "a list of gateways such as "
                    + "[ { endpoint = \"tcp://127.0.0.1:5555\" } ]", HashMap::new,
                    (v, path, unused) -> {
                        GatewayEntry g = gateway(v, path, gatewayFallback);
                        if (g != null) {
                            gateways.add(g);
                        }
                    });
            checkValid(merged);
        }

        /** Typesafe Config's own check against the reference, for whatever the walk has not reported. */
        private void checkValid(Config merged) {
            try {
                merged.checkValid(ref, "loomnet");
            } catch (ConfigException.ValidationFailed e) {
                for (ConfigException.ValidationProblem p : e.problems()) {
                    boolean known = errors.stream().anyMatch(x -> !x.path().isEmpty()
                            && (p.path().startsWith(x.path()) || x.path().startsWith(p.path())));
                    if (!known) {
                        int line = p.origin() == null ? -1 : p.origin().lineNumber();
                        errors.add(new ConfigError(file, line, p.path(), p.problem(), null));
                    }
                }
            }
        }

        /** Runs one check; its {@link ConfigError} is recorded and the walk goes on. */
        private void attempt(Runnable check) {
            try {
                check.run();
            } catch (ConfigError e) {
                errors.add(e);
            } catch (LaunchException e) {
                errors.add(new ConfigError(file, -1, "", e.getMessage(), e));
            } catch (ConfigException e) {
                // A shape the walk does not describe itself (an object where a value belongs, ...).
                errors.add(new ConfigError(file, e.origin() == null ? -1 : e.origin().lineNumber(), "",
                        e.getMessage(), e));
            }
        }

        private interface EntryReader {
            void read(ConfigValue v, String path, Map<String, String> shared);
        }

        private void list(ConfigObject o, String path, String key, String expected,
                Supplier<Map<String, String>> shared, EntryReader entry) {
            ConfigValue v = o.get(key);
            if (v == null) {
                return;
            }
            if (v.valueType() != ConfigValueType.LIST) {
                errors.add(error(v, path, "is " + describe(v), expected));
                return;
            }
            ConfigList list = (ConfigList) v;
            Map<String, String> state = shared.get();
            for (int i = 0; i < list.size(); i++) {
                int index = i;
                attempt(() -> entry.read(list.get(index), path + "[" + index + "]", state));
            }
        }

        /** Keys the reference does not name; descends into objects that the reference has as objects. */
        private void unknownKeys(ConfigObject o, ConfigObject reference, String path) {
            for (String k : new TreeSet<>(o.keySet())) {
                ConfigValue r = reference.get(k);
                if (r == null) {
                    errors.add(error(o.get(k), path + "." + k, "unknown key", "one of "
                            + String.join(", ", new TreeSet<>(reference.keySet()))));
                } else if (r.valueType() == ConfigValueType.OBJECT && o.get(k).valueType() == ConfigValueType.OBJECT
                        && !(path + "." + k).equals("loomnet.cluster")) {
                    // loomnet.cluster is walked by cluster(), whose key list has the launcher's order.
                    unknownKeys((ConfigObject) o.get(k), (ConfigObject) r, path + "." + k);
                }
            }
        }

        private ClusterEntry cluster(ConfigValue v, String path, Config lc) {
            ConfigObject o = object(v, path, "an object such as { inbox = \"tcp://127.0.0.1:7101\", "
                    + "peers = [ { id = 2, endpoint = \"tcp://127.0.0.1:7102\" } ] }");
            checkKeys(o, path, CLUSTER_KEYS);
            Config c = o.toConfig();
            String inbox = endpoint(required(o, path, "inbox", "the endpoint this node's inbox binds, such as "
                    + "\"tcp://127.0.0.1:7101\""), path + ".inbox", true);
            Duration heartbeat = duration(c, o, path, "heartbeat");
            Duration downAfter = duration(c, o, path, "down-after");
            // Defaults: loomnet.cluster in the transport's reference.conf.
            Duration hb = heartbeat != null ? heartbeat : ref.getDuration("loomnet.cluster.heartbeat");
            Duration da = downAfter != null ? downAfter : ref.getDuration("loomnet.cluster.down-after");
            if (da.compareTo(hb) <= 0) {
                if (downAfter != null) {
                    throw error(o.get("down-after"), path + ".down-after", "is " + da + ", not longer than the "
                            + "heartbeat (" + hb + ")", "a duration longer than " + path + ".heartbeat");
                }
                throw error(o.get("heartbeat"), path + ".heartbeat", "is " + hb + ", not shorter than the default "
                        + "down-after (" + da + ")", "a shorter heartbeat, or a longer " + path + ".down-after");
            }
            Integer maxFrame = bytes(c, o, path, "max-frame", Cluster.MIN_FRAME_BYTES, Cluster.MAX_FRAME_BYTES);
            Optional<Curve> curve = Optional.empty();
            ConfigValue kv = o.get("curve");
            if (kv != null) {
                ConfigObject ko = object(kv, path + ".curve", "an object { public-key = \"...\", "
                        + "secret-key = \"...\" } (Z85, 40 characters each)");
                checkKeys(ko, path + ".curve", CURVE_KEYS);
                curve = Optional.of(new Curve(key(ko, path + ".curve", "public-key", "this node's"),
                        key(ko, path + ".curve", "secret-key", "this node's")));
            }
            List<Peer> peers = new ArrayList<>();
            boolean withCurve = curve.isPresent();
            list(o, path + ".peers", "peers", "a list of peers such as [ { id = 2, endpoint = "
                    + "\"tcp://127.0.0.1:7102\" } ]", HashMap::new, (pv, pp, ids) -> {
                        Peer p = peer(pv, pp, inbox, withCurve);
                        String prev = ids.putIfAbsent(Integer.toString(p.id()), pp);
                        if (prev != null) {
                            throw error(((ConfigObject) pv).get("id"), pp + ".id", "node " + p.id()
                                    + " is already configured by " + prev, "a unique node id");
                        }
                        peers.add(p);
                    });
            return new ClusterEntry(path, line(o), inbox, peers, hb, da,
                    maxFrame != null ? maxFrame : Math.toIntExact(ref.getBytes("loomnet.cluster.max-frame")), curve);
        }

        private Peer peer(ConfigValue v, String path, String inbox, boolean curve) {
            ConfigObject o = object(v, path, "an object such as { id = 2, endpoint = \"tcp://127.0.0.1:7102\" }");
            checkKeys(o, path, PEER_KEYS);
            required(o, path, "id", "the peer's node id, an integer in 0.." + Handle.MAX_NODE);
            int id = integer(o.toConfig(), o, path, "id", 0, Handle.MAX_NODE);
            if (id == nodeId) {
                throw error(o.get("id"), path + ".id", "is " + id + ", this node's own id (loomnet.node-id)",
                        "the id of another node");
            }
            String endpoint = endpoint(required(o, path, "endpoint", "the peer's inbox endpoint, such as "
                    + "\"tcp://127.0.0.1:7102\""), path + ".endpoint", false);
            if (endpoint.equals(inbox)) {
                throw error(o.get("endpoint"), path + ".endpoint", "is this node's own inbox (loomnet.cluster.inbox)",
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

        private GatewayEntry gateway(ConfigValue v, String path, Config gatewayDefaults) {
            ConfigObject o = object(v, path, "an object such as { endpoint = \"tcp://127.0.0.1:5555\" }");
            // The limits: checked by GatewayConfig.fromConfig itself, over loomnet.gateway (the transport's
            // reference.conf, and the file's own loomnet.gateway if it has one).
            Config limits = o.toConfig().withFallback(gatewayDefaults);
            GatewayConfig config = gatewayProblems(limits, path) ? GatewayConfig.fromConfig(limits, GATEWAY_KEYS)
                    : null;
            String endpoint = endpoint(required(o, path, "endpoint", "the endpoint the gateway binds, such as "
                    + "\"tcp://127.0.0.1:5555\""), path + ".endpoint", true);
            return config == null ? null : new GatewayEntry(path, line(o), endpoint, config);
        }

        /** Checks gateway limits with {@link GatewayConfig#fromConfig}; records its problems; true if none. */
        private boolean gatewayProblems(Config limits, String path) {
            try {
                GatewayConfig.fromConfig(limits, GATEWAY_KEYS);
                return true;
            } catch (InvalidSettingsException e) {
                for (InvalidSettingsException.Problem p : e.problems()) {
                    errors.add(new ConfigError(file, p.line(), path + "." + p.key(), p.problem() + "; expected "
                            + p.expected(), null));
                }
                return false;
            }
        }

        /** A TCP endpoint ({@link ZmqAddresses}); bind endpoints with a fixed port must not repeat. */
        private String endpoint(ConfigValue v, String path, boolean bind) {
            String expected = ZmqAddresses.expectedEndpoint(bind);
            String s = string(v, path, expected);
            Optional<String> problem = ZmqAddresses.endpointProblem(s, bind);
            if (problem.isPresent()) {
                throw error(v, path, problem.get(), expected);
            }
            String host = s.substring("tcp://".length(), s.lastIndexOf(':')).replaceAll("^\\[|]$", "");
            if (bind && !host.equals("*")) {
                // Resolved here, as the console's and gate's hosts are: a typo is a config error (exit 2), not a
                // failed start.
                try {
                    java.net.InetAddress.getByName(host);
                } catch (java.net.UnknownHostException e) {
                    throw error(v, path, "has host '" + host + "', which does not resolve", expected);
                }
            }
            if (bind && !s.endsWith(":*")) {
                String prev = bound.putIfAbsent(s, path);
                if (prev != null) {
                    throw error(v, path, "'" + s + "' is already bound by " + prev, "an endpoint of its own");
                }
            }
            return s;
        }

        /** A Z85 CURVE key ({@link ZmqAddresses}); the value itself is never echoed (it may be a secret). */
        private String key(ConfigObject o, String parent, String key, String whose) {
            String path = parent + "." + key;
            String expected = whose + " CURVE " + key.replace("-key", "") + " key: "
                    + ZmqAddresses.CURVE_KEY_LENGTH + " characters of Z85";
            ConfigValue v = required(o, parent, key, expected);
            if (v.valueType() != ConfigValueType.STRING) {
                throw error(v, path, "is not a string", expected);
            }
            String s = (String) v.unwrapped();
            Optional<String> problem = ZmqAddresses.curveKeyProblem(s);
            if (problem.isPresent()) {
                throw error(v, path, problem.get(), expected);
            }
            return s;
        }

        private ServiceEntry service(ConfigValue v, String path, Map<String, String> names) {
            ConfigObject o = object(v, path, "an object such as { module = logger, name = log }");
            checkKeys(o, path, SERVICE_KEYS);
            String known = "a module name, one of " + launcher.moduleNames();
            ConfigValue mv = required(o, path, "module", known);
            String module = string(mv, path + ".module", known);
            Optional<String> name = Optional.empty();
            ConfigValue nv = o.get("name");
            if (nv != null) {
                String n = string(nv, path + ".name", "a service name");
                try {
                    ServiceOptions.validateName(n);
                } catch (IllegalArgumentException e) {
                    throw error(nv, path + ".name", e.getMessage(), "a name without whitespace, '@' or a leading ':'");
                }
                String prev = names.putIfAbsent(n, path);
                if (prev != null) {
                    throw error(nv, path + ".name", "'" + n + "' is already used by " + prev, "a unique name");
                }
                name = Optional.of(n);
            }
            ConfigValue av = o.get("args");
            try {
                Config args = args(av, path + ".args", module);
                launcher.spec(module, args);
                return new ServiceEntry(path, line(o), module, name, args);
            } catch (UnknownModuleException e) {
                throw new ConfigError(file, line(mv), path + ".module", e.getMessage(), e);
            } catch (ModuleArgumentException e) {
                throw new ConfigError(file, line(av != null ? av : o), path + ".args", e.key() + ": " + e.problem()
                        + " (module '" + module + "')", e);
            }
        }

        /** {@code args}: an object (a config subtree), or a list of {@code key=value} strings. */
        private Config args(ConfigValue v, String path, String module) {
            if (v == null) {
                return ConfigFactory.empty();
            }
            String expected = "an object { key = value }, or a list of \"key=value\" strings";
            if (v.valueType() == ConfigValueType.OBJECT) {
                return ((ConfigObject) v).toConfig();
            }
            if (v.valueType() != ConfigValueType.LIST) {
                throw error(v, path, "is " + describe(v), expected);
            }
            ConfigList list = (ConfigList) v;
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                ConfigValue e = list.get(i);
                if (e.valueType() == ConfigValueType.OBJECT || e.valueType() == ConfigValueType.LIST
                        || e.valueType() == ConfigValueType.NULL) {
                    throw error(e, path + "[" + i + "]", "is " + describe(e), expected);
                }
                tokens.add(String.valueOf(e.unwrapped()));
            }
            return ModuleArgs.tokens(module, tokens);
        }

        private void checkKeys(ConfigObject o, String path, Collection<String> known) {
            for (String k : new TreeSet<>(o.keySet())) {
                if (!known.contains(k)) {
                    throw error(o.get(k), path + "." + k, "unknown key", "one of " + String.join(", ", known));
                }
            }
        }

        private ConfigValue required(ConfigObject o, String parent, String key, String expected) {
            ConfigValue v = o.get(key);
            if (v == null) {
                throw error(o, parent + "." + key, "missing", expected);
            }
            return v;
        }

        private ConfigObject object(ConfigValue v, String path, String expected) {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw error(v, path, "is " + describe(v), expected);
            }
            return (ConfigObject) v;
        }

        /** {@code c.getInt(key)} in range; {@code null} when unset; {@code o} locates the value in the file. */
        private Integer integer(Config c, ConfigObject o, String parent, String key, int min, int max) {
            if (!c.hasPath(key)) {
                return null;
            }
            String expected = "an integer in " + min + ".." + max;
            int value;
            try {
                value = c.getInt(key);
            } catch (ConfigException e) {
                throw error(at(c, o, key), parent + "." + key, "is " + describe(c.getValue(key)), expected);
            }
            if (value < min || value > max) {
                throw error(at(c, o, key), parent + "." + key, "is " + value, expected);
            }
            return value;
        }

        private Duration duration(Config c, ConfigObject o, String parent, String key) {
            if (!c.hasPath(key)) {
                return null;
            }
            String expected = "a positive duration such as 10s or 500ms";
            Duration d;
            try {
                d = c.getDuration(key);
            } catch (ConfigException e) {
                throw error(at(c, o, key), parent + "." + key, "is " + describe(c.getValue(key)), expected);
            }
            if (d.isNegative() || d.isZero()) {
                throw error(at(c, o, key), parent + "." + key, "is " + d, expected);
            }
            return d;
        }

        private Integer bytes(Config c, ConfigObject o, String parent, String key, long min, long max) {
            if (!c.hasPath(key)) {
                return null;
            }
            String expected = "a size in " + min + ".." + max + " bytes, such as 65536, 64KiB or 1MiB";
            long b;
            try {
                b = c.getBytes(key);
            } catch (ConfigException e) {
                throw error(at(c, o, key), parent + "." + key, "is " + describe(c.getValue(key)), expected);
            }
            if (b < min || b > max) {
                throw error(at(c, o, key), parent + "." + key, "is " + b + " bytes", expected);
            }
            return (int) b;
        }

        private static ConfigValue at(Config c, ConfigObject o, String key) {
            ConfigValue v = o.get(key);
            return v != null ? v : c.getValue(key);
        }

        private String string(ConfigValue v, String path, String expected) {
            if (v.valueType() != ConfigValueType.STRING) {
                throw error(v, path, "is " + describe(v), expected);
            }
            return (String) v.unwrapped();
        }

        private static String describe(ConfigValue v) {
            return SettingsReader.describe(v); // one wording for the launcher's errors and the builders'
        }

        private static int line(ConfigValue v) {
            return v == null || v.origin() == null ? -1 : v.origin().lineNumber();
        }

        private ConfigError error(ConfigValue at, String path, String problem, String expected) {
            return new ConfigError(file, line(at), path, problem + "; expected " + expected, null);
        }
    }
}
