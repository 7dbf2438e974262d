package io.loomnet.launcher.gate;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.ChildFailed;
import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.LoomnetException;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.Terminated;
import io.loomnet.launcher.ListenerQuery;
import io.loomnet.launcher.internal.BoundedLineReader;
import io.loomnet.launcher.internal.TcpListener;

/**
 * The gate service: binds, accepts on its listener's thread and spawns one {@link Agent} child per accepted
 * connection. Routes {@link GateWrite} and {@link GateClose} sent to it to the right agent.
 */
final class GateService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(GateService.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final GateModule.GateSettings settings;
    private final CompletableFuture<Object> started;
    /** Live agents by connection id; agents add themselves in onStart and remove themselves in onStop. */
    private final Map<Long, Handle> agents = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    /** Connections counted against max-connections: from accept until the agent's reader ends. */
    private final AtomicInteger open = new AtomicInteger();
    private volatile TcpListener listener;
    private volatile Context ctx;

    GateService(GateModule.GateSettings settings, CompletableFuture<Object> started) {
        this.settings = settings;
        this.started = started;
    }

    @Override
    public void onStart(Context ctx) throws Exception {
        this.ctx = ctx;
        try {
            listener = TcpListener.bind("gate", ctx.node().id(), settings.host(), settings.port());
            TcpListener l = listener;
            ctx.node().addTransport("gate " + l.localAddress(), l::stop);
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
        ctx.log().info("gate listening on {} ({} framing, handler '{}', max {} connections, max packet {} bytes)",
                listener.localAddress(), settings.framing().name().toLowerCase(java.util.Locale.ROOT),
                settings.handler(), settings.maxConnections(), settings.maxPacket());
        started.complete(listener.localAddress());
    }

    @Override
    public void onMessage(Context ctx, Message msg) {
        switch (msg.payload()) {
            case GateWrite w -> forward(ctx, w.connection(), w);
            case GateClose c -> forward(ctx, c.connection(), c);
            case ListenerQuery q when msg.isRequest() -> ctx.reply(listener.localAddress());
            case ChildFailed f -> LOG.warn("gate {}: agent {} failed on {}: {}", ctx.self(), f.child(),
                    f.payloadType(), f.failure());
            case Terminated t -> LOG.debug("gate {}: {} terminated", ctx.self(), t.service());
            case null, default -> LOG.warn("gate {} ignores {} {} from {}", ctx.self(), msg.type(), msg.payloadType(),
                    msg.source());
        }
    }

    private void forward(Context ctx, long connection, Object what) {
        Handle agent = agents.get(connection);
        if (agent == null) {
            LOG.debug("gate {}: dropping {} for connection {}, which is closed", ctx.self(), what, connection);
        } else {
            ctx.send(agent, what);
        }
    }

    @Override
    public void onStop(Context ctx) {
        TcpListener l = listener;
        if (l != null) {
            l.stop(System.nanoTime() + STOP_WAIT.toNanos());
        }
    }

    /** Runs on the listener's accept thread. */
    private void accept(Socket socket) {
        int n = open.incrementAndGet();
        if (n > settings.maxConnections()) {
            open.decrementAndGet();
            refuse(socket, "too many connections (max " + settings.maxConnections() + ")");
            return;
        }
        boolean handedOver = false;
        try {
            Optional<Handle> handler = settings.handlerHandle() != null ? Optional.of(settings.handlerHandle())
                    : ctx.lookup(settings.handler());
            if (handler.isEmpty()) {
                refuse(socket, "no handler service '" + settings.handler() + "' is running");
                return;
            }
            socket.setTcpNoDelay(true);
            long id = connectionIds.incrementAndGet();
            Agent agent = new Agent(id, socket, handler.get());
            ctx.spawn(() -> agent, ServiceOptions.defaults());
            handedOver = true;
        } catch (IOException | LoomnetException e) {
            LOG.warn("gate on {}: cannot serve {}: {}", listener.localAddress(), socket.getRemoteSocketAddress(),
                    e.toString());
            TcpListener.closeQuietly(socket, "gate");
        } finally {
            if (!handedOver) {
                open.decrementAndGet();
            }
        }
    }

    private void refuse(Socket socket, String why) {
        LOG.warn("gate on {}: refusing {}: {}", listener.localAddress(), socket.getRemoteSocketAddress(), why);
        try (socket) {
            OutputStream out = socket.getOutputStream();
            writeFrame(out, ("error: " + why).getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            LOG.debug("gate: could not tell {} it was refused: {}", socket.getRemoteSocketAddress(), e.toString());
        }
    }

    private void writeFrame(OutputStream out, byte[] data) throws IOException {
        if (settings.framing() == Framing.LENGTH) {
            if (data.length > 0xFFFF) {
                throw new IllegalArgumentException("gate: a packet of " + data.length
                        + " bytes does not fit a 2-byte length prefix (max 65535)");
            }
            out.write(new byte[] {(byte) (data.length >>> 8), (byte) data.length});
            out.write(data);
        } else {
            out.write(data);
            out.write('\n');
        }
    }

    /**
     * One client connection. Its handler thread writes; a reader thread owned by the gate's listener reads
     * packets and sends them to the handler with this agent as the source.
     */
    private final class Agent implements Service {
        private final long id;
        private final Socket socket;
        private final Handle handler;
        private final ReentrantLock writeLock = new ReentrantLock();
        private volatile boolean closedByServer;
        private boolean released;
        private Thread reader;

        Agent(long id, Socket socket, Handle handler) {
            this.id = id;
            this.socket = socket;
            this.handler = handler;
        }

        @Override
        public void onStart(Context agentCtx) {
            agents.put(id, agentCtx.self());
            agentCtx.send(handler, new GateOpened(id, ctx.self(), (InetSocketAddress) socket.getRemoteSocketAddress()));
            reader = listener.startConnection(socket, () -> read(agentCtx));
            if (reader == null) {
                end(agentCtx, "gate stopped");
            }
        }

        /** Runs on the reader thread. */
        private void read(Context agentCtx) {
            String reason;
            try {
                InputStream in = socket.getInputStream();
                reason = settings.framing() == Framing.LINE ? readLines(agentCtx, in) : readLengthPrefixed(agentCtx, in);
            } catch (IOException e) {
                reason = closedByServer || listener.isStopped() ? (listener.isStopped() ? "gate stopped"
                        : "closed by server") : "read failed: " + e.getMessage();
            }
            end(agentCtx, reason);
        }

        private String readLines(Context agentCtx, InputStream in) throws IOException {
            BoundedLineReader lines = new BoundedLineReader(in, settings.maxPacket());
            while (true) {
                byte[] line = lines.readLine();
                if (line == null) {
                    return closedByServer ? "closed by server" : "closed by client";
                }
                if (line == BoundedLineReader.TOO_LONG) {
                    return tooLarge();
                }
                deliver(agentCtx, line);
            }
        }

        private String readLengthPrefixed(Context agentCtx, InputStream raw) throws IOException {
            DataInputStream in = new DataInputStream(raw);
            while (true) {
                int hi = in.read();
                if (hi < 0) {
                    return closedByServer ? "closed by server" : "closed by client";
                }
                int lo = in.read();
                if (lo < 0) {
                    throw new EOFException("connection ended inside a length prefix");
                }
                int len = (hi << 8) | lo;
                if (len > settings.maxPacket()) {
                    return tooLarge();
                }
                byte[] data = new byte[len];
                in.readFully(data);
                deliver(agentCtx, data);
            }
        }

        private String tooLarge() {
            String why = "packet too large (max " + settings.maxPacket() + " bytes)";
            write(("error: " + why).getBytes(StandardCharsets.UTF_8));
            TcpListener.finish(socket, "gate");
            return why;
        }

        private void deliver(Context agentCtx, byte[] data) {
            try {
                agentCtx.send(handler, new GatePacket(id, data));
            } catch (LoomnetException e) {
                LOG.warn("gate connection {}: packet of {} bytes to handler {} dropped: {}", id, data.length, handler,
                        e.toString());
            }
        }

        /** Once, from whichever thread finds the connection over first. */
        private void end(Context agentCtx, String reason) {
            writeLock.lock();
            try {
                if (released) {
                    return;
                }
                released = true;
            } finally {
                writeLock.unlock();
            }
            open.decrementAndGet();
            TcpListener.closeQuietly(socket, "gate");
            try {
                agentCtx.send(handler, new GateClosed(id, reason));
            } catch (LoomnetException e) {
                LOG.debug("gate connection {}: could not tell handler {} it closed: {}", id, handler, e.toString());
            }
            agentCtx.exit();
        }

        @Override
        public void onMessage(Context agentCtx, Message msg) {
            switch (msg.payload()) {
                case byte[] b -> write(b);
                case String s -> write(s.getBytes(StandardCharsets.UTF_8));
                case GateWrite w -> write(w.data());
                case GateClose c -> {
                    closedByServer = true;
                    TcpListener.closeQuietly(socket, "gate");
                }
                case null, default -> LOG.warn("gate connection {} ignores {} {} from {}", id, msg.type(), msg.payloadType(),
                        msg.source());
            }
        }

        private void write(byte[] data) {
            writeLock.lock();
            try {
                OutputStream out = socket.getOutputStream();
                writeFrame(out, data);
                out.flush();
            } catch (IOException e) {
                LOG.debug("gate connection {}: write failed, closing: {}", id, e.toString());
                TcpListener.closeQuietly(socket, "gate");
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void onStop(Context agentCtx) throws InterruptedException {
            agents.remove(id, agentCtx.self());
            closedByServer = true;
            TcpListener.closeQuietly(socket, "gate");
            Thread r = reader;
            if (r != null && r != Thread.currentThread()) {
                r.join(STOP_WAIT);
            }
        }

        @Override
        public String toString() {
            return "gate agent #" + id + " for " + socket.getRemoteSocketAddress();
        }
    }
}
