package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.MessageType;
import io.loomnet.Node;
import io.loomnet.NodeListener;
import io.loomnet.transport.zmq.TestSupport;

/**
 * Exact accounting across nodes, with the peer in a separate JVM: every tell {@code send} accepted for the peer is
 * handled by it, dead-lettered on this node with a reason, refused with an exception the sender saw, or (after a
 * kill -9) counted as lost with the peer. The counts add up exactly; nothing is unaccounted for.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterAccountingTest {
    private Node one;
    private PeerProcess peer;
    private final AtomicLong deadTellsToTwo = new AtomicLong();

    @AfterEach
    void cleanUp() {
        if (peer != null) {
            peer.close();
        }
        if (one != null) {
            one.close();
        }
    }

    private Cluster startOne(String e1, String e2) {
        one = Node.builder().nodeId(1).listener(new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter dl) {
                if (dl.target().node() == 2 && dl.type() == MessageType.TELL) {
                    deadTellsToTwo.incrementAndGet();
                }
            }
        }).start();
        return Cluster.builder(one).inbox(e1).peer(2, e2).codec(ClusterTest.codec()).start();
    }

    /** Waits until the link has nothing queued and nothing unconfirmed on the wire. */
    private static LinkStats settled(Cluster c) {
        try {
            TestSupport.await("the link to settle", Duration.ofSeconds(60), () -> {
                LinkStats l = c.stats().link(2);
                return l.queued() == 0 && l.inFlight() == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + c.stats().link(2), e);
        }
        return c.stats().link(2);
    }

    /** Sends tells as fast as the link takes them; counts the ones the sender saw refused with an exception. */
    private static final class Sender {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        Thread thread;

        void start(Node node, Handle target, long n) {
            thread = Thread.ofPlatform().name("sender").start(() -> {
                for (long i = 0; i < n && !stop.get(); i++) {
                    try {
                        node.send(target, i);
                    } catch (ClusterBackPressureException e) {
                        rejected.incrementAndGet();
                    }
                    sent.incrementAndGet();
                }
            });
        }
    }

    @Test
    void shouldAccountForEveryTellAcrossAFrozenPeer() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Cluster c1 = startOne(e1, e2);
        peer = PeerProcess.start(AccountingPeerMain.class, "2", e2, "1", e1);
        TestSupport.await("peer up", Duration.ofSeconds(30), () -> c1.peerState(2) == Cluster.PeerState.UP);
        Handle sink = one.lookup("sink@2").orElseThrow();
        LinkStats base = settled(c1);
        long deadBase = deadTellsToTwo.get();

        // The sender keeps sending until the freeze has been detected and refused 50000 more: a fixed count could be
        // all queued (in the link, in ZeroMQ, in TCP buffers) before the freeze is detected, and nothing refused.
        Sender s = new Sender();
        s.start(one, sink, Long.MAX_VALUE);
        TestSupport.await("50000 tells sent", Duration.ofSeconds(60), () -> s.sent.get() >= 50_000);
        peer.signal("STOP");
        try {
            // A stall of either JVM longer than the failure detector's second (a GC pause on a loaded machine) is a
            // DOWN too, and one may have begun before the freeze, with a PONG still in flight to end it. Only a
            // refusal after the STOP proves the freeze itself has been detected.
            long refusedAtStop = c1.stats().link(2).refused();
            TestSupport.await("peer down and refusing tells", Duration.ofSeconds(30),
                    () -> c1.peerState(2) == Cluster.PeerState.DOWN && c1.stats().link(2).refused() > refusedAtStop);
            long atDown = s.sent.get();
            TestSupport.await("more tells sent while down", Duration.ofSeconds(60),
                    () -> s.sent.get() >= atDown + 50_000);
        } finally {
            s.stop.set(true);
            s.thread.join();
            peer.signal("CONT");
        }
        long n = s.sent.get();
        TestSupport.await("peer up after thaw", Duration.ofSeconds(30), () -> c1.peerState(2) == Cluster.PeerState.UP);
        LinkStats end = settled(c1);
        long handled = handledWhenStable();

        long accepted = end.accepted() - base.accepted();
        long acked = end.acked() - base.acked();
        long lost = end.lostWithPeer() - base.lostWithPeer();
        long deadLettered = end.deadLettered() - base.deadLettered();
        long refused = end.refused() - base.refused();
        long dead = deadTellsToTwo.get() - deadBase;
        System.out.printf("frozen peer: sent %d = handled %d + dead-lettered here %d (refused while down %d, "
                        + "queued when it went down %d) + rejected %d + lost %d; link accepted %d, acked %d%n", n,
                handled, dead, refused, deadLettered, s.rejected.get(), lost, accepted, acked);
        assertThat("nothing is lost while the peer is merely frozen", lost, is(0L));
        assertThat(handled, is(acked));
        assertThat(accepted, is(acked + deadLettered));
        assertThat(dead, is(refused + deadLettered));
        assertThat("every tell is accounted for", handled + dead + s.rejected.get() + lost, is(n));
        assertThat("the freeze really refused some tells", dead, greaterThan(0L));
        assertThat(peer.count()[1], is(0L));
    }

    @Test
    void shouldAccountForEveryTellWhenThePeerIsKilled() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Cluster c1 = startOne(e1, e2);
        peer = PeerProcess.start(AccountingPeerMain.class, "2", e2, "1", e1);
        TestSupport.await("peer up", Duration.ofSeconds(30), () -> c1.peerState(2) == Cluster.PeerState.UP);
        Handle sink = one.lookup("sink@2").orElseThrow();
        LinkStats base = settled(c1);
        long deadBase = deadTellsToTwo.get();

        Sender s = new Sender();
        s.start(one, sink, Long.MAX_VALUE);
        TestSupport.await("50000 tells sent", Duration.ofSeconds(60), () -> s.sent.get() >= 50_000);
        long t0 = System.nanoTime();
        long refusedAtKill = c1.stats().link(2).refused();
        peer.kill();
        // As with the freeze: a refusal after the kill proves the kill itself has been detected.
        TestSupport.await("peer down and refusing tells", Duration.ofSeconds(30),
                () -> c1.peerState(2) == Cluster.PeerState.DOWN && c1.stats().link(2).refused() > refusedAtKill);
        long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long atDown = s.sent.get();
        TestSupport.await("tells refused while down", Duration.ofSeconds(60), () -> s.sent.get() >= atDown + 10_000);
        s.stop.set(true);
        s.thread.join();
        long n = s.sent.get();
        // A new run of the peer: the old connection's fate is settled against it.
        peer = PeerProcess.start(AccountingPeerMain.class, "2", e2, "1", e1);
        TestSupport.await("peer up again", Duration.ofSeconds(30), () -> c1.peerState(2) == Cluster.PeerState.UP);
        LinkStats end = settled(c1);
        long[] newRun = peer.count();

        long acked = end.acked() - base.acked();
        long lost = end.lostWithPeer() - base.lostWithPeer();
        long deadLettered = end.deadLettered() - base.deadLettered();
        long refused = end.refused() - base.refused();
        long dead = deadTellsToTwo.get() - deadBase;
        System.out.printf("killed peer (down after %d ms): sent %d = confirmed received %d + dead-lettered here %d "
                        + "(refused %d, queued at down %d) + rejected %d + lost with the process %d; new run handled "
                        + "%d, refused as stale %d%n", downMs, n, acked, dead, refused, deadLettered,
                s.rejected.get(), lost, newRun[0], newRun[2]);
        assertThat(dead, is(refused + deadLettered));
        assertThat("every tell is accounted for", acked + dead + s.rejected.get() + lost, is(n));
        assertThat("the new run never handles a tell meant for the old one", newRun[0], is(0L));
    }

    @Test
    void shouldTellWatchersAtOnceThatACleanlyClosedPeerLeft() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Cluster c1 = startOne(e1, e2);
        peer = PeerProcess.start(AccountingPeerMain.class, "2", e2, "1", e1);
        TestSupport.await("peer up", Duration.ofSeconds(30), () -> c1.peerState(2) == Cluster.PeerState.UP);
        Handle sink = one.lookup("sink@2").orElseThrow();
        Watcher watcher = Watcher.of(one, sink);
        long t0 = System.nanoTime();
        assertThat("the peer closed cleanly", peer.closeCleanly(), is(true));
        io.loomnet.Terminated t = watcher.next(Duration.ofSeconds(30));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("clean close of the peer: its watcher here got %s after %d ms%n", t, ms);
        assertThat(String.valueOf(t), t != null && t.reason() == io.loomnet.Terminated.Reason.NODE_LEFT, is(true));
        assertThat(c1.peerState(2), is(Cluster.PeerState.LEFT));
    }

    /** The peer's handled count once two successive answers agree (its mailbox may still be draining). */
    private long handledWhenStable() throws InterruptedException {
        long previous = -1;
        while (true) {
            long now = peer.count()[0];
            if (now == previous) {
                return now;
            }
            previous = now;
            Thread.sleep(200); // spacing between two readings of a counter that must have stopped moving
        }
    }
}
