package io.loomnet.launcher.console;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;

import io.loomnet.launcher.ModuleArgs;
import io.loomnet.launcher.ModuleContext;
import io.loomnet.launcher.ServiceModule;
import io.loomnet.launcher.ServiceSpec;

/**
 * {@code console}: Skynet's debug console over TCP.
 *
 * <p>Arguments: {@code port} (0..65535, required; 0 picks a free port), {@code host} (default
 * {@code 127.0.0.1}: binding to any other address, for example {@code 0.0.0.0}, must be written out, and
 * anyone who can reach it can kill services), {@code max-line} (longest command line in bytes, default 4096),
 * {@code max-connections} (default 16).
 *
 * <p><b>Threading.</b> Stateless and thread-safe.
 */
public final class ConsoleModule implements ServiceModule {
    /** Creates the module; called by {@link java.util.ServiceLoader}. */
    public ConsoleModule() {
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public String description() {
        return "debug console over TCP (list, stat, info, kill, launch, mem); args: port=, host=127.0.0.1";
    }

    @Override
    public ServiceSpec create(ModuleContext context) {
        // Defaults and meanings: loomnet.modules.console in the launcher's reference.conf.
        ModuleArgs args = context.args();
        if (!args.has("port")) {
            throw args.error("port", "required argument is missing (give port=7001, or port=0 for any free port)");
        }
        int port = args.integer("port", 0, 65535);
        InetAddress host = args.address("host");
        int maxLine = args.integer("max-line", 16, 1 << 20);
        int maxConnections = args.integer("max-connections", 1, 10_000);
        CompletableFuture<Object> started = new CompletableFuture<>();
        ConsoleSettings settings = new ConsoleSettings(host, port, maxLine, maxConnections);
        return ServiceSpec.of(() -> new ConsoleService(settings, context.launcher(), started))
                .withStartSignal(started);
    }

    /** The console's validated arguments. */
    record ConsoleSettings(InetAddress host, int port, int maxLine, int maxConnections) {
    }
}
