package io.loomnet.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;

import io.loomnet.Node;
import io.loomnet.ServiceStats;
import io.loomnet.scope.CloseReport;

/**
 * The {@code loomnet} command line.
 *
 * <pre>
 * loomnet run &lt;config&gt;     start a node from a HOCON file; Ctrl-C closes it in order and prints the close report
 * loomnet check &lt;config&gt;   validate a config file without starting anything
 * loomnet modules          list the service modules found on the class path
 * </pre>
 *
 * <p>Exit codes, one per outcome, each with one line on standard error:
 * <ul>
 *   <li>0: success; for {@code run}, the node was stopped with SIGINT (Ctrl-C) or SIGTERM and closed cleanly;</li>
 *   <li>1 ({@link #EXIT_START}): something failed to start (a port taken, an address that cannot be bound); the
 *   node was closed again; {@code file:line: key.path: what did not start: why};</li>
 *   <li>2 ({@link #EXIT_CONFIG}): a usage or config error, one line per mistake,
 *   {@code file:line: key.path: problem; expected ...}; nothing was started;</li>
 *   <li>3 ({@link #EXIT_UNCLEAN}): {@code run} was stopped but the node's close report is not clean (something
 *   missed the close deadline or failed to stop); the report is printed.</li>
 * </ul>
 */
public final class Main {
    /** Exit code for usage and config errors. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for a service that failed to start. */
    public static final int EXIT_START = 1;
    /** Exit code for a {@code run} whose node did not close cleanly. */
    public static final int EXIT_UNCLEAN = 3;

    private Main() {
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Runs a command. {@code run} with a valid config does not return: it waits for Ctrl-C.
     *
     * @param args the command line
     * @param out where to print results
     * @param err where to print errors
     * @return the exit code
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        String cmd = args.length == 0 ? "help" : args[0];
        try {
            switch (cmd) {
                case "run", "check" -> {
                    if (args.length != 2) {
                        err.println("loomnet: usage: loomnet " + cmd + " <config-file>");
                        return EXIT_CONFIG;
                    }
                    Launcher launcher = Launcher.create();
                    LauncherConfig config = LauncherConfig.load(Path.of(args[1]), launcher);
                    if (cmd.equals("check")) {
                        out.println("loomnet: " + args[1] + " is valid: node " + config.nodeId() + ", "
                                + config.services().size() + " service(s)"
                                + config.cluster().map(c -> ", cluster inbox " + c.inbox() + " with "
                                        + c.peers().size() + " peer(s)" + (c.curve().isPresent() ? " (CURVE)" : ""))
                                        .orElse("")
                                + (config.gateways().isEmpty() ? "" : ", " + config.gateways().size()
                                        + " gateway(s)"));
                        return 0;
                    }
                    return run(config, out);
                }
                case "modules" -> {
                    Launcher launcher = Launcher.create();
                    int width = launcher.moduleNames().stream().mapToInt(String::length).max().orElse(0);
                    for (String name : launcher.moduleNames()) {
                        ServiceModule m = launcher.module(name).orElseThrow();
                        out.printf("%-" + Math.max(12, width) + "s %s%n", name, m.description());
                    }
                    return 0;
                }
                case "help", "-h", "--help" -> {
                    out.println("usage: loomnet run <config> | loomnet check <config> | loomnet modules");
                    return 0;
                }
                default -> {
                    err.println("loomnet: unknown command '" + cmd + "' (expected run, check, modules or help)");
                    return EXIT_CONFIG;
                }
            }
        } catch (ConfigError e) {
            for (ConfigError p : e.problems()) {
                err.println("loomnet: " + p.getMessage());
            }
            if (e.problems().size() > 1) {
                err.println("loomnet: " + e.problems().size() + " problems in " + e.file());
            }
            return EXIT_CONFIG;
        } catch (LaunchException e) {
            err.println("loomnet: " + e.getMessage());
            return EXIT_START;
        }
    }

    /**
     * Runs the node until the JVM is asked to stop (SIGINT/Ctrl-C, SIGTERM, SIGHUP), then closes it in the
     * shutdown hook. The hook ends the JVM itself with {@link Runtime#halt} so that the exit code says how the
     * close went: 0 when the close report is clean, {@link #EXIT_UNCLEAN} otherwise (left alone, the JVM would
     * exit 130 or 143 whatever happened). Nothing else runs in this JVM after the node is closed, so halting skips
     * nothing of Loomnet's; standard output is flushed first.
     */
    private static int run(LauncherConfig config, PrintStream out) {
        LauncherConfig.Running running = config.launch();
        Node node = running.node();
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("loomnet: stopping: closing node " + node.id() + "...");
            CloseReport report = node.shutdown();
            out.println("loomnet: " + report + (report.clean() ? "" : " (NOT CLEAN)"));
            out.flush();
            closed.countDown();
            Runtime.getRuntime().halt(report.clean() ? 0 : EXIT_UNCLEAN);
        }, "loomnet-shutdown"));
        out.println("loomnet: node " + node.id() + " running from " + config.file() + "; Ctrl-C to stop");
        node.services().stream().sorted(Comparator.comparing(ServiceStats::handle))
                .forEach(s -> out.println("  " + s.handle() + "  " + (s.name() == null ? "-" : s.name())));
        running.cluster().ifPresent(c -> {
            out.println("  cluster inbox " + c.inboxEndpoint());
            config.cluster().orElseThrow().peers().forEach(p -> out.println("  peer node " + p.id() + " at "
                    + p.endpoint()));
        });
        running.gateways().forEach(g -> out.println("  gateway " + g.endpoint()));
        out.flush();
        boolean interrupted = false;
        while (closed.getCount() > 0) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0; // not reached in practice: the hook halts the JVM with the close's exit code
    }
}
