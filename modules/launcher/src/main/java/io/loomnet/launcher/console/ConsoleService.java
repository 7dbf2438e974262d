package io.loomnet.launcher.console;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.LoomnetException;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.NodeStats;
import io.loomnet.Service;
import io.loomnet.ServiceStats;
import io.loomnet.launcher.LaunchException;
import io.loomnet.launcher.Launcher;
import io.loomnet.launcher.ListenerQuery;
import io.loomnet.launcher.internal.BoundedLineReader;
import io.loomnet.launcher.internal.TcpListener;

/**
 * The console service. Its handler thread only binds, answers {@link ListenerQuery} and closes; each client
 * connection is served on its own virtual thread, which calls the thread-safe {@link Node} API directly, so a
 * slow client never holds up the service and {@code kill <console>} from the console itself cannot deadlock.
 */
final class ConsoleService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleService.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);
    static final String OK = "<CMD OK>";
    static final String ERROR = "<CMD Error> ";

    private final ConsoleModule.ConsoleSettings settings;
    private final Launcher launcher;
    private final CompletableFuture<Object> started;
    private TcpListener listener;
    private Node node;

    ConsoleService(ConsoleModule.ConsoleSettings settings, Launcher launcher, CompletableFuture<Object> started) {
        this.settings = settings;
        this.launcher = launcher;
        this.started = started;
    }

    @Override
    public void onStart(Context ctx) throws Exception {
        node = ctx.node();
        try {
            listener = TcpListener.bind("console", node.id(), settings.host(), settings.port());
            TcpListener l = listener;
            node.addTransport("console " + l.localAddress(), l::stop);
            l.start(this::accept);
        } catch (Exception e) {
            if (listener != null) {
                listener.stop(System.nanoTime() + STOP_WAIT.toNanos());
            }
            // The launch reports the failure in one line (Launcher.launch waits for this signal); throwing here
            // would also have the node log a WARN with the whole stack trace before that line.
            started.completeExceptionally(e);
            ctx.log().debug("not started: {}", e.toString(), e);
            ctx.exit();
            return;
        }
        ctx.log().info("console listening on {}", listener.localAddress());
        started.complete(listener.localAddress());
    }

    @Override
    public void onMessage(Context ctx, Message msg) {
        if (msg.payload() == ListenerQuery.LOCAL_ADDRESS && msg.isRequest()) {
            ctx.reply(listener.localAddress());
        } else {
            ctx.log().warn("console {} ignores {} {} from {}", ctx.self(), msg.type(), msg.payloadType(), msg.source());
        }
    }

    @Override
    public void onStop(Context ctx) {
        if (listener != null) {
            listener.stop(System.nanoTime() + STOP_WAIT.toNanos());
        }
    }

    private void accept(Socket socket) {
        if (listener.connectionCount() >= settings.maxConnections()) {
            LOG.warn("console on {}: refusing {}: {} connections already", listener.localAddress(),
                    socket.getRemoteSocketAddress(), settings.maxConnections());
            try (socket) {
                socket.getOutputStream().write((ERROR + "too many console connections (max "
                        + settings.maxConnections() + ")\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                LOG.debug("console: could not tell {} it was refused: {}", socket.getRemoteSocketAddress(), e.toString());
            }
            return;
        }
        listener.startConnection(socket, () -> session(socket));
    }

    private void session(Socket socket) {
        Object peer = socket.getRemoteSocketAddress();
        LOG.info("console client {} connected", peer);
        try {
            Writer out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
            BoundedLineReader in = new BoundedLineReader(socket.getInputStream(), settings.maxLine());
            out.write("Welcome to the Loomnet console on node " + node.id() + "; type help\n");
            out.flush();
            while (true) {
                byte[] raw = in.readLine();
                if (raw == null) {
                    break;
                }
                if (raw == BoundedLineReader.TOO_LONG) {
                    out.write(ERROR + "command longer than " + settings.maxLine() + " bytes; closing\n");
                    out.flush();
                    TcpListener.finish(socket, "console");
                    break;
                }
                String line = new String(raw, StandardCharsets.UTF_8).trim();
                if (line.isEmpty()) {
                    continue;
                }
                String[] words = line.split("\\s+");
                if (words[0].equals("quit") || words[0].equals("exit")) {
                    out.write(OK + "\n");
                    out.flush();
                    break;
                }
                out.write(answer(words));
                out.flush();
            }
            LOG.info("console client {} disconnected", peer);
        } catch (IOException e) {
            // A client that goes away mid-command is normal for a console.
            LOG.info("console client {} dropped: {}", peer, e.toString());
        }
    }

    /** Runs one command; never throws: failures become one {@code <CMD Error>} line. */
    String answer(String[] words) {
        try {
            List<String> lines = execute(words[0].toLowerCase(Locale.ROOT), Arrays.asList(words).subList(1,
                    words.length));
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                sb.append(l).append('\n');
            }
            return sb.append(OK).append('\n').toString();
        } catch (CommandException | LaunchException e) {
            return ERROR + oneLine(e.getMessage()) + "\n";
        } catch (RuntimeException e) {
            LOG.warn("console command '{}' failed", String.join(" ", words), e);
            return ERROR + oneLine(e.toString()) + "\n";
        }
    }

    private List<String> execute(String cmd, List<String> args) {
        return switch (cmd) {
            case "help" -> {
                usage(args, 0, "help");
                yield help();
            }
            case "list" -> {
                usage(args, 0, "list");
                yield list();
            }
            case "stat" -> {
                usage(args, 0, "stat");
                yield stat();
            }
            case "mem" -> {
                usage(args, 0, "mem");
                yield mem();
            }
            case "info" -> {
                usage(args, 1, "info <handle|name>");
                yield info(resolve(args.get(0)));
            }
            case "kill" -> {
                usage(args, 1, "kill <handle|name>");
                Handle h = resolve(args.get(0));
                boolean killed;
                try {
                    killed = node.kill(h);
                } catch (IllegalArgumentException e) {
                    throw new CommandException(e.getMessage()); // a service on another node
                }
                if (!killed) {
                    throw new CommandException("service " + h + " is unknown or already stopping");
                }
                yield List.of("killed " + h);
            }
            case "launch" -> {
                if (args.isEmpty()) {
                    throw new CommandException("usage: launch <module> [key=value ...]; modules: "
                            + String.join(", ", launcher.moduleNames()));
                }
                Handle h = launcher.launch(node, args.get(0), args.subList(1, args.size()));
                yield List.of("launched " + args.get(0) + " as " + h);
            }
            default -> throw new CommandException("unknown command '" + cmd + "'; try help");
        };
    }

    private static void usage(List<String> args, int expected, String usage) {
        if (args.size() != expected) {
            throw new CommandException("usage: " + usage);
        }
    }

    private Handle resolve(String target) {
        if (target.startsWith(":")) {
            Handle h;
            try {
                h = Handle.parse(target);
            } catch (IllegalArgumentException e) {
                throw new CommandException(e.getMessage());
            }
            return h;
        }
        return node.lookup(target).orElseThrow(() -> new CommandException("no service named '" + target
                + "' (give a name or a handle like :0001:00000000002a)"));
    }

    private static List<String> help() {
        return List.of(
                "list                   services: handle, name, state, queue length, handled, failures",
                "stat                   node counters",
                "info <handle|name>     one service's counters",
                "kill <handle|name>     kill a service",
                "launch <module> [k=v]  start a service from a module",
                "mem                    heap and threads",
                "help                   this text",
                "quit                   close this connection");
    }

    private List<String> list() {
        List<ServiceStats> all = new ArrayList<>(node.services());
        all.sort(Comparator.comparing(ServiceStats::handle));
        List<String> out = new ArrayList<>();
        for (ServiceStats s : all) {
            out.add(String.format(Locale.ROOT, "%s  %-16s %-10s queue=%d handled=%d failures=%d %s", s.handle(),
                    s.name() == null ? "-" : s.name(), s.state(), s.queueLength(), s.handled(), s.failures(),
                    s.dispatcher().name().toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    private List<String> stat() {
        NodeStats s = node.stats();
        return List.of("node-id " + s.nodeId(), "live-services " + s.liveServices(), "spawned " + s.spawned(),
                "sent " + s.sent(), "handled " + s.handled(), "dead-letters " + s.deadLetters(),
                "late-replies " + s.lateReplies(), "pending-calls " + s.pendingCalls(),
                "dispatcher-threads " + s.liveThreads(), "stuck-reports " + s.stuckReports(),
                "loop-errors " + s.loopErrors());
    }

    private List<String> info(Handle h) {
        Optional<ServiceStats> found = node.stats(h);
        ServiceStats s = found.orElseThrow(() -> new CommandException("no service " + h
                + " (unknown or terminated)"));
        return List.of("handle " + s.handle(), "name " + (s.name() == null ? "-" : s.name()), "state " + s.state(),
                "dispatcher " + s.dispatcher().name().toLowerCase(Locale.ROOT), "queue-length " + s.queueLength(),
                "queue-high-water " + s.queueHighWater(), "handled " + s.handled(), "failures " + s.failures(), "restarts " + s.restarts(),
                "max-handle-ms " + TimeUnit.NANOSECONDS.toMillis(s.maxHandleNanos()),
                "suspended-handlers " + s.suspendedHandlers());
    }

    private List<String> mem() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        return List.of(String.format(Locale.ROOT, "heap used=%.1f MiB committed=%.1f MiB max=%.1f MiB", mib(used),
                        mib(rt.totalMemory()), mib(rt.maxMemory())),
                "threads jvm-platform=" + ManagementFactory.getThreadMXBean().getThreadCount()
                        + " node-dispatcher=" + node.stats().liveThreads());
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** One printable line: a message that echoes client input never sends control bytes back to a terminal. */
    static String oneLine(String s) {
        return s == null ? "(no message)" : escapeControls(s.replace('\n', ' ').replace('\r', ' '));
    }

    /**
     * @param s text that may hold client input
     * @return {@code s} with C0 and C1 control characters and DEL written as {@code \xNN} (ESC as {@code \e}), and
     *         a backslash doubled, so the escape cannot be forged
     */
    static String escapeControls(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
            if (!control && c != '\\') {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c == 0x1b) {
                sb.append("\\e");
            } else {
                sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb == null ? s : sb.toString();
    }

    @Override
    public String toString() {
        return "console" + (listener == null ? "" : " on " + listener.localAddress());
    }

    /** A user mistake in a command: reported to the client, not logged as a failure. */
    private static final class CommandException extends LoomnetException {
        private static final long serialVersionUID = 1L;

        CommandException(String message) {
            super(message);
        }
    }
}
