package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.Terminated;
import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.TestSupport;

/**
 * A node that closes while its own link to a peer has not come UP yet, though the peer already sees it as up (the
 * two directions come up independently: on a loaded machine the second can lag), still tells that peer it left.
 * A relay holds node 2's connections to node 1 unanswered, so node 2's link stays CONNECTING while node 1's link,
 * which connects directly, is UP; the relay opens only once node 2 is closing and has tried to reach node 1 again.
 */
@Timeout(60)
class ClusterLeaveTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Node one;
    private Node two;
    private GatedRelay relay;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (two != null) {
            two.close();
        }
        if (one != null) {
            one.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void shouldTellAPeerThatSeesItUpThatItLeftThoughItsOwnLinkIsNotUpYet() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        relay = new GatedRelay(TestSupport.port(e1));
        two = Node.builder().nodeId(2).start();
        // Leaving may use half the cluster's stop timeout: room enough that a loaded machine cannot run it out.
        Cluster c2 = Cluster.builder(two).inbox(e2).peer(1, relay.endpoint()).stopTimeout(Duration.ofSeconds(10))
                .start();
        two.spawn(() -> (ctx, msg) -> { }, ServiceOptions.defaults().withName("sink"));
        one = Node.builder().nodeId(1).start();
        Cluster c1 = Cluster.builder(one).inbox(e1).peer(2, e2).start();
        TestSupport.await("node 1 to see node 2 up", WAIT, () -> c1.peerState(2) == Cluster.PeerState.UP);
        Handle sink = one.lookup("sink@2").orElseThrow();
        Watcher watcher = Watcher.of(one, sink);
        assertThat("node 2's link to node 1 is held by the relay", c2.peerState(1), is(Cluster.PeerState.CONNECTING));

        CompletableFuture<CloseReport> closing = CompletableFuture.supplyAsync(two::shutdown);
        TestSupport.await("node 2 to start closing", WAIT, two::isClosing);
        long before = relay.accepted();
        // Node 1 keeps pinging node 2's inbox, which makes node 2's link reconnect: a connection accepted after the
        // close began comes from a link that is leaving and still trying to reach its peer.
        TestSupport.await("node 2's link to try node 1 again while closing", WAIT, () -> relay.accepted() > before);
        relay.open();

        Terminated t = watcher.next(WAIT);
        assertThat(String.valueOf(t), t != null && t.reason() == Terminated.Reason.NODE_LEFT, is(true));
        assertThat(c1.peerState(2), is(Cluster.PeerState.LEFT));
        CloseReport report = closing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(report.toString(), report.clean(), is(true));
        one.stop(watcher.handle());
    }
}
