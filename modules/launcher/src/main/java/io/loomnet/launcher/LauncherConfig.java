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
 * }
 * </pre>
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
            "close-timeout", "stuck-threshold", "monitor-interval", "services");
    private static final List<String> SERVICE_KEYS = List.of("module", "name", "args");

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
     * and the failure names the entry.
     *
     * @return the running node
     * @throws LaunchException naming the file, entry and module if a service failed to start
     */
    public Node start() {
        Node node = nodeBuilder().start();
        for (ServiceEntry e : services) {
            try {
                if (e.name().isPresent()) {
                    launcher.launch(node, e.module(), e.name().get(), e.args());
                } else {
                    launcher.launch(node, e.module(), e.args());
                }
            } catch (RuntimeException ex) {
                CloseReport report = node.shutdown();
                if (!report.clean()) {
                    LOG.warn("node {} did not close cleanly after a failed launch: {}", nodeId, report);
                }
                throw new LaunchException(file + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.path()
                        + ": module '" + e.module() + "' did not start: " + ex.getMessage(), ex);
            }
        }
        return node;
    }

    @Override
    public String toString() {
        return "LauncherConfig[" + file + ", node " + nodeId + ", " + services.size() + " service(s)]";
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
