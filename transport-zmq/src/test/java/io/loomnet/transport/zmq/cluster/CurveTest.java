package io.loomnet.transport.zmq.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZMQ;

import io.loomnet.Handle;
import io.loomnet.Node;

/** CURVE: peers with allowed keys talk; a peer with an unknown key is refused and never comes up. */
@Timeout(60)
class CurveTest {
    @Test
    void shouldAcceptAllowedPeersAndRefuseUnknownKeys() throws Exception {
        ZMQ.Curve.KeyPair k1 = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair k2 = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair intruder = ZMQ.Curve.generateKeyPair();
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        String e3 = "tcp://127.0.0.1:" + TestPorts.free();
        try (Node one = Node.builder().nodeId(1).start();
             Node two = Node.builder().nodeId(2).start();
             Node three = Node.builder().nodeId(3).start()) {
            Cluster c1 = Cluster.builder(one).inbox(e1).peer(2, e2, k2.publicKey).curve(k1.publicKey, k1.secretKey)
                    .codec(ClusterTest.codec()).start();
            Cluster c2 = Cluster.builder(two).inbox(e2).peer(1, e1, k1.publicKey).curve(k2.publicKey, k2.secretKey)
                    .codec(ClusterTest.codec()).start();
            // node 3 knows node 2's real key but has its own key, which node 2 does not allow
            Cluster c3 = Cluster.builder(three).inbox(e3).peer(2, e2, k2.publicKey)
                    .curve(intruder.publicKey, intruder.secretKey).codec(ClusterTest.codec()).start();

            // As documented: call once the link is UP (CURVE handshakes on a loaded machine can take longer than
            // the failure detector's second, and a call to a peer that is down fails at once).
            io.loomnet.transport.zmq.TestSupport.await("node 1's link to node 2 up", Duration.ofSeconds(30),
                    () -> c1.peerState(2) == Cluster.PeerState.UP);
            Handle echo = two.spawn(() -> (ctx, msg) -> ctx.reply(msg.payload()));
            assertEquals("secret", one.call(echo, "secret", Duration.ofSeconds(10)));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && c3.peerState(2) != Cluster.PeerState.DOWN) {
                Thread.sleep(10);
            }
            assertEquals(Cluster.PeerState.DOWN, c3.peerState(2), "the intruder never gets an answer");
            assertNotEquals(Cluster.PeerState.UP, c3.peerState(2));
            assertTrue(c2.zapRefused() > 0, "node 2 refused the unknown key");
        }
    }
}
