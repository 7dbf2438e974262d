package io.loomnet.transport.zmq.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import io.loomnet.scope.Loop;

/**
 * ZeroMQ's authentication handler (ZAP, RFC 27) for a CURVE machine: a REP socket bound to
 * {@code inproc://zeromq.zap.01} in the machine's own context, answering 200 for a client whose public key is on
 * the allow-list and 400 otherwise. Runs on its own loop thread, stopped by its runner's signal through a
 * {@link PipeWaker}, never by interrupt. A malformed ZAP request (JeroMQ's own, so never expected) is answered
 * 400 rather than ending the loop.
 */
public final class ZapLoop implements Loop {
    /** The endpoint ZeroMQ sends authentication requests to, one per context. */
    public static final String ENDPOINT = "inproc://zeromq.zap.01";

    private static final Logger LOG = LoggerFactory.getLogger(ZapLoop.class);

    private final ZContext context;
    private final Set<String> allowedZ85;
    private final PipeWaker waker;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private ZMQ.Socket rep;
    private ZMQ.Poller poller;

    /**
     * @param context the machine's context
     * @param allowedZ85 the client public keys (Z85) allowed to connect
     */
    public ZapLoop(ZContext context, Set<String> allowedZ85) {
        this.context = context;
        this.allowedZ85 = Set.copyOf(allowedZ85);
        try {
            this.waker = PipeWaker.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the ZAP handler's wake-up pipe", e);
        }
    }

    /** @return connections allowed */
    public long accepted() {
        return accepted.sum();
    }

    /** @return connections refused because their key is not on the allow-list */
    public long refused() {
        return refused.sum();
    }

    @Override
    public void onStart() {
        rep = context.createSocket(SocketType.REP);
        rep.setLinger(0);
        rep.bind(ENDPOINT);
        poller = context.createPoller(2);
        poller.register(rep, ZMQ.Poller.POLLIN);
        poller.register(waker.channel(), ZMQ.Poller.POLLIN);
    }

    @Override
    public boolean doWork() {
        try {
            if (poller.poll(-1) < 0) {
                return false;
            }
            if (poller.pollin(1)) {
                waker.drain();
            }
            if (poller.pollin(0)) {
                answer();
            }
            return true;
        } catch (ZMQException e) {
            if (e.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
                return false;
            }
            throw e;
        }
    }

    private void answer() {
        // Request: version, request id, domain, address, identity, mechanism, credentials...
        String version = rep.recvStr(ZMQ.DONTWAIT);
        if (version == null) {
            return;
        }
        byte[] requestId = rep.hasReceiveMore() ? rep.recv() : new byte[0];
        String address = "?";
        String mechanism = "";
        byte[] key = new byte[0];
        int part = 2;
        while (rep.hasReceiveMore()) {
            byte[] f = rep.recv();
            switch (part++) {
                case 3 -> address = new String(f, ZMQ.CHARSET);
                case 5 -> mechanism = new String(f, ZMQ.CHARSET);
                case 6 -> key = f;
                default -> {
                    // domain, identity, further credentials
                }
            }
        }
        boolean ok = "CURVE".equals(mechanism) && key.length == 32 && allowedZ85.contains(ZMQ.Curve.z85Encode(key));
        if (ok) {
            accepted.increment();
        } else {
            refused.increment();
            LOG.warn("refused {} connection from {}: client key not on the allow-list", mechanism, address);
        }
        rep.sendMore(version);
        rep.sendMore(requestId);
        rep.sendMore(ok ? "200" : "400");
        rep.sendMore(ok ? "OK" : "client key not allowed");
        rep.sendMore(ok ? ZMQ.Curve.z85Encode(key) : "");
        rep.send(new byte[0]);
    }

    @Override
    public void wake() {
        waker.wake();
    }

    @Override
    public void onClose() {
        if (poller != null) {
            poller.close();
        }
        if (rep != null) {
            rep.close();
        }
        waker.close();
    }
}
