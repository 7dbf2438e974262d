package io.loomnet.launcher;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;

/**
 * Finds {@link ServiceModule}s by name and launches them (Skynet's {@code skynet.newservice(name, ...)}).
 *
 * <pre>{@code
 * Launcher launcher = Launcher.create();                 // every module on the class/module path
 * Handle console = launcher.launch(node, "console", List.of("port=7001"));
 * Handle log = launcher.launch(node, "logger", "log", List.of());   // registered as "log"
 * }</pre>
 *
 * <p><b>Settings.</b> A module's arguments are a config subtree over its defaults, {@code loomnet.modules.<name>}
 * in the {@code reference.conf} files on the class path (this library's has {@code console}, {@code gate} and
 * {@code logger}); the launch timeout is {@code loomnet.launcher.start-timeout}. {@link #withSettings(Config)}
 * reads both from a config file's tree instead.
 *
 * <p><b>Threading.</b> Immutable after creation and thread-safe; {@link #launch} may be called from any thread,
 * including services' handlers (it blocks until the service signals that it started, if its module gives a
 * start signal).
 */
public final class Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
    private final Map<String, ServiceModule> modules;
    private final Duration startTimeout;
    /** {@code loomnet.modules}: each module's defaults, by module name. */
    private final Config moduleSettings;
    /** The merged {@code reference.conf} files this launcher's class loader sees. */
    private final Config reference;

    private Launcher(Map<String, ServiceModule> modules, Duration startTimeout, Config moduleSettings,
            Config reference) {
        this.modules = Collections.unmodifiableMap(modules);
        this.startTimeout = startTimeout;
        this.moduleSettings = moduleSettings;
        this.reference = reference;
    }

    /**
     * Discovers modules with {@link ServiceLoader} through the thread's context class loader (or this class's
     * loader if there is none); on the module path, through {@code provides} clauses.
     *
     * @return a launcher knowing every module found
     * @throws LaunchException if a provider cannot be loaded or two modules share a name
     */
    public static Launcher create() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return create(cl != null ? cl : Launcher.class.getClassLoader());
    }

    /**
     * @param loader where to look for {@code META-INF/services/io.loomnet.launcher.ServiceModule}
     * @return a launcher knowing every module found
     * @throws LaunchException if a provider cannot be loaded or two modules share a name
     */
    public static Launcher create(ClassLoader loader) {
        List<ServiceModule> found = new java.util.ArrayList<>();
        try {
            // On the module path ServiceLoader.load(Class) would also work; the loader form covers both.
            ServiceLoader.load(ServiceModule.class, loader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new LaunchException("cannot load a service module: " + e.getMessage(), e);
        }
        return of(found, loader);
    }

    /**
     * @param modules the modules to know, for example in tests
     * @return a launcher knowing exactly these
     * @throws LaunchException if a name is invalid or taken twice
     */
    public static Launcher of(Collection<? extends ServiceModule> modules) {
        return of(modules, Launcher.class.getClassLoader());
    }

    private static Launcher of(Collection<? extends ServiceModule> modules, ClassLoader loader) {
        Map<String, ServiceModule> byName = new TreeMap<>();
        for (ServiceModule m : modules) {
            String name = m.name();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new LaunchException("service module " + m.getClass().getName() + " has an invalid name '"
                        + name + "' (expected lower case letters, digits and '-', starting with a letter)");
            }
            ServiceModule prev = byName.putIfAbsent(name, m);
            if (prev != null) {
                throw new LaunchException("two service modules are named '" + name + "': "
                        + prev.getClass().getName() + " and " + m.getClass().getName());
            }
        }
        Config reference;
        try {
            reference = ConfigFactory.defaultReference(loader);
        } catch (ConfigException e) {
            throw new LaunchException("a reference.conf on the class path is broken: " + e.getMessage(), e);
        }
        return new Launcher(byName, Duration.ZERO, ConfigFactory.empty(), reference).withSettings(reference);
    }

    /**
     * @param root a whole config (a config file over the {@code reference.conf} files), whose
     *             {@code loomnet.launcher.start-timeout} and {@code loomnet.modules} this launcher then uses
     * @return a copy with those settings
     * @throws LaunchException if the start timeout is not a positive duration
     */
    public Launcher withSettings(Config root) {
        Duration timeout;
        try {
            timeout = root.getDuration("loomnet.launcher.start-timeout");
        } catch (ConfigException e) {
            throw new LaunchException("loomnet.launcher.start-timeout: " + e.getMessage(), e);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new LaunchException("loomnet.launcher.start-timeout: is " + timeout + "; expected a positive "
                    + "duration such as 10s");
        }
        Config settings = root.hasPath("loomnet.modules") ? root.getConfig("loomnet.modules") : ConfigFactory.empty();
        return new Launcher(new TreeMap<>(modules), timeout, settings, reference);
    }

    /**
     * @param timeout how long {@link #launch} waits for a module's start signal
     * @return a copy with this timeout
     */
    public Launcher withStartTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new LaunchException("start timeout must be positive, was " + timeout);
        }
        return new Launcher(new TreeMap<>(modules), timeout, moduleSettings, reference);
    }

    /** @return the merged {@code reference.conf} files of this launcher's class loader: every default */
    public Config reference() {
        return reference;
    }

    /**
     * @param module a module name
     * @return its defaults ({@code loomnet.modules.<module>}); empty if it has none
     */
    public Config defaults(String module) {
        String path = com.typesafe.config.ConfigUtil.quoteString(module);
        return moduleSettings.hasPathOrNull(path) && moduleSettings.getValue(path).valueType()
                == com.typesafe.config.ConfigValueType.OBJECT ? moduleSettings.getConfig(path) : ConfigFactory.empty();
    }

    /** @return the known module names, sorted */
    public SortedSet<String> moduleNames() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(modules.keySet()));
    }

    /**
     * @param name a module name
     * @return the module, if known
     */
    public Optional<ServiceModule> module(String name) {
        return Optional.ofNullable(modules.get(name));
    }

    /**
     * Validates arguments and describes the service without starting anything.
     *
     * @param module a module name
     * @param args {@code key=value} tokens
     * @return the module's description of the service
     * @throws UnknownModuleException listing the known modules
     * @throws ModuleArgumentException naming the bad argument
     */
    public ServiceSpec spec(String module, List<String> args) {
        Objects.requireNonNull(module, "module");
        module(module).orElseThrow(() -> new UnknownModuleException(module, moduleNames()));
        return spec(module, ModuleArgs.tokens(module, args));
    }

    /**
     * Validates arguments given as a config subtree and describes the service without starting anything.
     *
     * @param module a module name
     * @param args the entry's settings; the module's {@linkplain #defaults defaults} fill in the rest
     * @return the module's description of the service
     * @throws UnknownModuleException listing the known modules
     * @throws ModuleArgumentException naming the bad argument
     */
    public ServiceSpec spec(String module, Config args) {
        Objects.requireNonNull(module, "module");
        ServiceModule m = modules.get(module);
        if (m == null) {
            throw new UnknownModuleException(module, moduleNames());
        }
        ServiceSpec spec = m.create(new ModuleContext(ModuleArgs.of(module, args, defaults(module)), this));
        if (spec == null) {
            throw new LaunchException("module '" + module + "' (" + m.getClass().getName() + ") returned no spec");
        }
        return spec;
    }

    /**
     * Launches a top-level service from a module.
     *
     * @param node where to spawn it
     * @param module the module name
     * @param args {@code key=value} tokens
     * @return the service's handle, once it has started if the module gives a start signal
     * @throws UnknownModuleException listing the known modules
     * @throws ModuleArgumentException naming the bad argument
     * @throws LaunchException if the service failed to start (for example its port is taken)
     */
    public Handle launch(Node node, String module, List<String> args) {
        ServiceSpec spec = spec(module, args);
        return start(node, module, spec, spec.options());
    }

    /**
     * Launches a top-level service from a module and registers it under a local name.
     *
     * @param node where to spawn it
     * @param module the module name
     * @param serviceName the local name to register
     * @param args {@code key=value} tokens
     * @return the service's handle
     * @throws UnknownModuleException listing the known modules
     * @throws ModuleArgumentException naming the bad argument
     * @throws LaunchException if the service failed to start
     */
    public Handle launch(Node node, String module, String serviceName, List<String> args) {
        ServiceSpec spec = spec(module, args);
        return start(node, module, spec, spec.options().withName(serviceName));
    }

    /**
     * Launches a top-level service from a module, with its arguments as a config subtree.
     *
     * @param node where to spawn it
     * @param module the module name
     * @param serviceName the local name to register, or empty
     * @param args the entry's settings over the module's defaults
     * @return the service's handle
     * @throws UnknownModuleException listing the known modules
     * @throws ModuleArgumentException naming the bad argument
     * @throws LaunchException if the service failed to start
     */
    public Handle launch(Node node, String module, Optional<String> serviceName, Config args) {
        ServiceSpec spec = spec(module, args);
        return start(node, module, spec, serviceName.map(spec.options()::withName).orElse(spec.options()));
    }

    private Handle start(Node node, String module, ServiceSpec spec, ServiceOptions options) {
        Objects.requireNonNull(node, "node");
        Handle h = node.spawn(spec.factory(), options);
        Optional<java.util.concurrent.CompletionStage<?>> signal = spec.startSignal();
        if (signal.isPresent()) {
            awaitStart(node, module, h, signal.get());
        }
        LOG.info("launched {} as {}{}", module, h, options.name().map(n -> " '" + n + "'").orElse(""));
        return h;
    }

    private void awaitStart(Node node, String module, Handle h, java.util.concurrent.CompletionStage<?> signal) {
        try {
            signal.toCompletableFuture().get(startTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new LaunchException("module '" + module + "' (service " + h + ") failed to start: " + cause, cause);
        } catch (TimeoutException e) {
            node.stop(h);
            throw new LaunchException("module '" + module + "' (service " + h + ") did not start within "
                    + startTimeout + "; it was stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while waiting for module '" + module + "' (service " + h
                    + ") to start", e);
        }
    }

    @Override
    public String toString() {
        return "Launcher" + moduleNames();
    }
}
