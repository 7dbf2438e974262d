package io.loomnet.transport.zmq.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import io.loomnet.transport.zmq.MachineSpec;
import io.loomnet.transport.zmq.MachineStartException;

/**
 * Opens, binds and closes a machine's ROUTER frontend: the one place where a bound socket gets its armour.
 * Every option is set on the owning thread before bind:
 * <ul>
 *   <li>linger 0, the spec's request and reply high-water marks;</li>
 *   <li>{@code maxMsgSize} and a {@link FrameGuard} with the same limit (hostile frame sizes);</li>
 *   <li>{@code ROUTER_MANDATORY}: a reply to a client that is gone or not reading fails with an error the loop
 *       counts, instead of vanishing (safe here: the loop handles the error, unlike {@code ZMQ.proxy});</li>
 *   <li>a handshake timeout, TCP keepalive, and ZMTP heartbeats only when the spec asks for them;</li>
 *   <li>CURVE server keys and the ZAP domain when the spec has them;</li>
 *   <li>the connection-event hook, installed before bind so no connection is missed.</li>
 * </ul>
 */
final class Frontend {
    /** The ZAP domain of CURVE machines. */
    static final String ZAP_DOMAIN = "loomnet";

    private static final Logger LOG = LoggerFactory.getLogger(Frontend.class);

    private Frontend() {
    }

    /**
     * Creates and binds the frontend. On failure the socket is closed again.
     *
     * @param ctx the machine's context
     * @param name the machine's name, for messages
     * @param spec what to build
     * @param guard the frame guard of this machine
     * @param hook the connection-event hook
     * @return the bound ROUTER; its resolved endpoint is {@code getLastEndpoint()}
     * @throws MachineStartException if the endpoint cannot be bound within the spec's bind timeout
     */
    static ZMQ.Socket open(ZContext ctx, String name, MachineSpec spec, FrameGuard guard, ZEvent.ZEventConsummer hook) {
        ZMQ.Socket s = ctx.createSocket(SocketType.ROUTER);
        try {
            s.setLinger(0);
            s.setSndHWM(spec.replyHighWaterMark());
            s.setRcvHWM(spec.highWaterMark());
            s.setMaxMsgSize(guard.limit());
            s.setMsgAllocator(guard);
            s.setRouterMandatory(true);
            s.setHandshakeIvl((int) spec.handshakeTimeout().toMillis());
            s.setTCPKeepAlive(1);
            s.setTCPKeepAliveIdle(spec.tcpKeepAliveIdle().toSeconds());
            s.setTCPKeepAliveInterval(10);
            s.setTCPKeepAliveCount(3);
            if (!spec.heartbeatInterval().isZero()) {
                int ivl = (int) spec.heartbeatInterval().toMillis();
                s.setHeartbeatIvl(ivl);
                s.setHeartbeatTimeout(3 * ivl);
                s.setHeartbeatTtl(3 * ivl);
            }
            spec.curveServer().ifPresent(c -> {
                s.setZAPDomain(ZAP_DOMAIN);
                s.setCurveServer(true);
                s.setCurvePublicKey(c.publicKey());
                s.setCurveSecretKey(c.secretKey());
            });
            s.setEventHook(hook, ConnectionEventLoop.HOOK_EVENTS);
            bindWithRetry(s, name, spec);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private static void bindWithRetry(ZMQ.Socket frontend, String name, MachineSpec spec) {
        long deadline = System.nanoTime() + spec.bindTimeout().toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                frontend.bind(spec.endpoint());
                if (attempts > 1) {
                    LOG.debug("machine '{}': bound {} after {} attempts", name, spec.endpoint(), attempts);
                }
                return;
            } catch (ZMQException e) {
                if (e.getErrorCode() != ZMQ.Error.EADDRINUSE.getCode() || System.nanoTime() - deadline > 0) {
                    throw new MachineStartException("machine '" + name + "': cannot bind " + spec.endpoint()
                            + " (" + ZMQ.Error.findByCode(e.getErrorCode()) + " after " + attempts
                            + " attempts in " + spec.bindTimeout().toMillis() + " ms)", e);
                }
                // A just-closed TCP port is released a few milliseconds later: back off briefly and retry.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(2L * attempts, 20L)));
            }
        }
    }

    /**
     * Unbinds (so the port is free at once, not when JeroMQ's reaper gets to it) and closes the frontend.
     *
     * @param frontend the socket, or {@code null}
     * @param bound its resolved endpoint, or {@code null} if it never bound
     */
    static void close(ZMQ.Socket frontend, String bound) {
        if (frontend == null) {
            return;
        }
        if (bound != null) {
            frontend.unbind(bound);
        }
        frontend.close();
    }
}
