package io.loomnet.transport.zmq.cluster;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * ZeroMQ's authentication handler (ZAP, RFC 27) for the CURVE inbox: a REP socket bound to
 * {@code inproc://zeromq.zap.01} in the cluster's context, on its own platform thread, answering 200 for a
 * client whose public key is on the allow-list and 400 otherwise. Polls with a short timeout and stops on a
 * flag, never by interrupt.
 */
final class ZapHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ZapHandler.class);
    static final String ENDPOINT = "inproc://zeromq.zap.01";

    private final ZContext context;
    private final Set<String> allowedZ85;
    private final String threadName;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    final LongAdder accepted = new LongAdder();
    final LongAdder refused = new LongAdder();
    private volatile boolean stopping;
    private Thread thread;

    ZapHandler(ZContext context, Set<String> allowedZ85, String threadName) {
        this.context = context;
        this.allowedZ85 = Set.copyOf(allowedZ85);
        this.threadName = threadName;
    }

    void start() {
        thread = Thread.ofPlatform().daemon(true).name(threadName).start(this::run);
        try {
            ready.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new ClusterException("ZAP handler did not start: " + e, e);
        }
    }

    private void run() {
        ZMQ.Socket rep = null;
        ZMQ.Poller poller = null;
        try {
            rep = context.createSocket(SocketType.REP);
            rep.setLinger(0);
            rep.bind(ENDPOINT);
            poller = context.createPoller(1);
            poller.register(rep, ZMQ.Poller.POLLIN);
            ready.complete(null);
            while (!stopping) {
                if (poller.poll(100) < 0) {
                    break;
                }
                if (poller.pollin(0)) {
                    answer(rep);
                }
            }
        } catch (ZMQException e) {
            if (!ready.isDone()) {
                ready.completeExceptionally(e);
            } else if (!stopping) {
                LOG.error("ZAP handler failed: {}", e.toString(), e);
            }
        } finally {
            if (poller != null) {
                poller.close();
            }
            if (rep != null) {
                rep.close();
            }
        }
    }

    private void answer(ZMQ.Socket rep) {
        // Request: version, request id, domain, address, identity, mechanism, credentials...
        String version = rep.recvStr();
        byte[] requestId = rep.recv();
        rep.recvStr(); // domain
        String address = rep.recvStr();
        rep.recv(); // identity
        String mechanism = rep.recvStr();
        byte[] key = rep.hasReceiveMore() ? rep.recv() : new byte[0];
        while (rep.hasReceiveMore()) {
            rep.recv();
        }
        boolean ok = "CURVE".equals(mechanism) && key.length == 32 && allowedZ85.contains(ZMQ.Curve.z85Encode(key));
        if (ok) {
            accepted.increment();
        } else {
            refused.increment();
            LOG.warn("refused {} connection from {}: client key not on the allow-list", mechanism, address);
        }
        rep.sendMore(version == null ? "1.0" : version);
        rep.sendMore(requestId == null ? new byte[0] : requestId);
        rep.sendMore(ok ? "200" : "400");
        rep.sendMore(ok ? "OK" : "client key not allowed");
        rep.sendMore(ok ? ZMQ.Curve.z85Encode(key) : "");
        rep.send(new byte[0]);
    }

    boolean stop(long deadlineNanos) throws InterruptedException {
        stopping = true;
        Thread t = thread;
        if (t == null) {
            return true;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            t.join(java.time.Duration.ofNanos(left));
        }
        return !t.isAlive();
    }
}
