package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.Terminated;
import io.loomnet.transport.zmq.TestSupport;

/**
 * A link over a slow path: node 2 reaches node 1 through a relay that holds every chunk 100 ms each way, so a ZMTP
 * greeting takes several hundred milliseconds and a PING's answer at least 200 ms, while node 1 (connected directly)
 * pings node 2 every heartbeat. The link must still come up, carry calls and leave cleanly: a link that remade its
 * connections every 100 ms before a greeting, or every heartbeat while the peer pinged, never came up here.
 */
@Timeout(90)
class ClusterSlowPathTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Node one;
    private Node two;
    private GatedRelay relay;

    @AfterEach
    void cleanUp() {
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
    void shouldComeUpCarryCallsAndLeaveOverASlowPath() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        relay = new GatedRelay(TestSupport.port(e1), Duration.ofMillis(100));
        relay.open();
        one = Node.builder().nodeId(1).start();
        Cluster c1 = Cluster.builder(one).inbox(e1).peer(2, e2).start();
        Handle echo = one.spawn(() -> (ctx, msg) -> ctx.reply(msg.payload()), ServiceOptions.defaults()
                .withName("echo"));
        two = Node.builder().nodeId(2).start();
        Cluster c2 = Cluster.builder(two).inbox(e2).peer(1, relay.endpoint()).stopTimeout(Duration.ofSeconds(20))
                .start();
        Handle sink = two.spawn(() -> (ctx, msg) -> { }, ServiceOptions.defaults().withName("sink"));
        TestSupport.await("node 1 to see node 2 up", WAIT, () -> c1.peerState(2) == Cluster.PeerState.UP);
        TestSupport.await("node 2 to see node 1 up over the slow path", WAIT,
                () -> c2.peerState(1) == Cluster.PeerState.UP);

        Handle remoteEcho = two.lookup("echo@1").orElseThrow();
        assertThat(two.call(remoteEcho, "over the slow path", WAIT), is("over the slow path"));

        Watcher watcher = Watcher.of(one, one.lookup("sink@2").orElseThrow());
        assertThat("node 2 closed cleanly", two.shutdown().clean(), is(true));
        Terminated t = watcher.next(WAIT);
        assertThat(String.valueOf(t), t != null && t.reason() == Terminated.Reason.NODE_LEFT, is(true));
        assertThat(c1.peerState(2), is(Cluster.PeerState.LEFT));
        one.stop(watcher.handle());
        one.stop(echo);
    }
}
