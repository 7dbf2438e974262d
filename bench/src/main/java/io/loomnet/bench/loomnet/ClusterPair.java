package io.loomnet.bench.loomnet;

import io.loomnet.DeadLetter;
import io.loomnet.Dispatcher;
import io.loomnet.Node;
import io.loomnet.NodeListener;
import io.loomnet.bench.api.Failures;
import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.codec.Codec;
import io.loomnet.transport.zmq.cluster.Cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Two Loomnet nodes in this JVM, each with a ZeroMQ {@link Cluster} on {@code tcp://127.0.0.1} (free
 * ports), peered both ways, with the built-in codec ({@code byte[]} needs no registration) and the
 * cluster's defaults otherwise. The constructor returns once each node sees the other UP. A dead letter on either node (for example a
 * frame the link refused) fails the run. {@link #close()} closes both nodes, which closes their
 * clusters.
 */
final class ClusterPair implements AutoCloseable {
    static final int SENDER_ID = 11;
    static final int RECEIVER_ID = 12;
    // Cluster defaults throughout: a full link makes send wait (BackPressure.BLOCK), so a run longer than the
    // link's queue is paced, never dead-lettered; the heartbeat has its own connection, so the default 900 ms
    // failure detector holds under the tell run's backlog (until 2026-12 both needed raising here).

    final Failures failures = new Failures();
    final Node sender;
    final Node receiver;
    final Cluster senderCluster;
    final Cluster receiverCluster;

    ClusterPair(Dispatcher dispatcher) throws Exception {
        NodeListener listener = new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter d) {
                failures.record(new IllegalStateException("dead letter: " + d));
            }
        };
        Node s = null;
        Node r = null;
        try {
            s = LoomnetRuntime.nodeBuilder(SENDER_ID, dispatcher).listener(listener).start();
            r = LoomnetRuntime.nodeBuilder(RECEIVER_ID, dispatcher).listener(listener).start();
            String es = "tcp://127.0.0.1:" + freePort();
            String er = "tcp://127.0.0.1:" + freePort();
            Codec codec = Codec.builder().build();
            senderCluster = Cluster.builder(s).inbox(es).peer(RECEIVER_ID, er).codec(codec).start();
            receiverCluster = Cluster.builder(r).inbox(er).peer(SENDER_ID, es).codec(codec).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (senderCluster.peerState(RECEIVER_ID) != Cluster.PeerState.UP
                    || receiverCluster.peerState(SENDER_ID) != Cluster.PeerState.UP) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("nodes not UP after 10 s: " + senderCluster.stats() + " / "
                            + receiverCluster.stats());
                }
                Thread.sleep(5);
            }
        } catch (Exception | Error e) {
            if (s != null) {
                s.close();
            }
            if (r != null) {
                r.close();
            }
            throw e;
        }
        sender = s;
        receiver = r;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        CloseReport a = sender.shutdown();
        CloseReport b = receiver.shutdown();
        if (!a.clean() || !b.clean()) {
            throw new IllegalStateException("cluster nodes did not close cleanly: " + a + " / " + b);
        }
    }
}
