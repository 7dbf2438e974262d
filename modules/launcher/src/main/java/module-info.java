import io.loomnet.launcher.ServiceModule;

/**
 * Loomnet's launcher: service modules found by name through {@link java.util.ServiceLoader}, the built-in
 * {@code logger}, {@code console} and {@code gate} modules, and {@code loomnet run <config>}
 * with its cluster links and service gateways.
 */
module io.loomnet.launcher {
    requires transitive io.loomnet.scheduler;
    // loomnet.cluster and loomnet.gateways: LauncherConfig.Running hands out the Cluster and the gateways.
    requires transitive io.loomnet.transport.zmq;
    requires org.slf4j;
    requires transitive typesafe.config; // LauncherConfig.load takes a Config of overrides
    // The console's "mem" command reads thread counts from the platform MX bean.
    requires java.management;

    exports io.loomnet.launcher;
    exports io.loomnet.launcher.console;
    exports io.loomnet.launcher.gate;
    exports io.loomnet.launcher.logger;

    uses ServiceModule;

    provides ServiceModule with
            io.loomnet.launcher.logger.LoggerModule,
            io.loomnet.launcher.console.ConsoleModule,
            io.loomnet.launcher.gate.GateModule;
}
