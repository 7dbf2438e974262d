package io.loomnet.launcher;

/**
 * A kind of service that can be started by name (Skynet's C service modules, loaded by name). Implementations
 * are found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/io.loomnet.launcher.ServiceModule} (class path) and in {@code module-info.java}
 * ({@code provides io.loomnet.launcher.ServiceModule with ...}, module path). It needs a public no-argument
 * constructor.
 *
 * <p>{@link #create} only validates its arguments and describes the service; it must not start threads or
 * open sockets, because the launcher calls it for every service of a config file before the node starts, so
 * that a mistake anywhere in the file is reported before anything runs. Resources belong in the service's
 * {@code onStart}, which gets the node from its {@link io.loomnet.Context}.
 *
 * <p><b>Threading.</b> Implementations must be thread-safe: one instance serves every launch, from any thread.
 */
public interface ServiceModule {
    /**
     * @return the name used in configs and the console: lower case letters, digits and '-', starting with a
     * letter; unique among the modules on the class or module path
     */
    String name();

    /** @return a one-line description for {@code loomnet modules} and the console's {@code help} */
    default String description() {
        return "";
    }

    /**
     * Validates the arguments and describes the service to spawn.
     *
     * @param context the arguments and the launcher (for modules that launch other modules)
     * @return the factory, options and optional start signal
     * @throws ModuleArgumentException naming the argument, what was expected and what was given
     */
    ServiceSpec create(ModuleContext context);
}
