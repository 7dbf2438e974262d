package io.loomnet.transport.zmq.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.NodeListener;

/**
 * Bad input from the network, sent from a raw JeroMQ DEALER in the cluster's own wire format: every kind is
 * counted and dropped, and the node keeps serving.
 */
@Timeout(60)
class MalformedFrameTest {
    @Test
    void shouldCountAndDropBadFramesAndKeepServing() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        java.util.concurrent.atomic.AtomicInteger unknownTargets = new java.util.concurrent.atomic.AtomicInteger();
        Node two = Node.builder().nodeId(2).listener(new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter dl) {
                if (dl.reason() == DeadLetter.Reason.UNKNOWN_TARGET) {
                    unknownTargets.incrementAndGet();
                }
            }
        }).start();
        Node one = Node.builder().nodeId(1).start();
        try (two; one; ZContext ctx = new ZContext()) {
            Cluster c2 = Cluster.builder(two).inbox(e2).peer(1, e1).codec(ClusterTest.codec()).maxFrameBytes(4096)
                    .start();
            Cluster.builder(one).inbox(e1).peer(2, e2).codec(ClusterTest.codec()).start();
            Handle echo = two.spawn(() -> (ctx2, msg) -> ctx2.reply(msg.payload()));

            ZMQ.Socket raw = io.loomnet.transport.zmq.TestSupport.connected(ctx, SocketType.DEALER, e2);
            raw.setReceiveTimeOut(5000);
            Handle src = Handle.of(9, 1);
            byte[] x = ClusterTest.codec().encode("x");
            // 1. a PING is answered: the raw socket really talks to the inbox
            raw.send(WireFrames.ping(9, 7, 42));
            WireFrames.Pong pong = WireFrames.pong(raw.recv());
            assertNotNull(pong);
            assertEquals(7, pong.sequence());
            assertEquals(0, pong.received());
            // 2. malformed: too short, bad magic, unknown kind, two frames, target on another node, bad batch
            raw.send(new byte[] {1, 2, 3});
            byte[] badMagic = WireFrames.batch(0, 42, 9, WireFrames.message(Wire.TELL, src, echo, 0, x));
            badMagic[0] = 0x00;
            raw.send(badMagic);
            raw.send(WireFrames.batch(0, 42, 9, WireFrames.message((byte) 99, src, echo, 0, x)));
            raw.send(new byte[] {1}, ZMQ.SNDMORE);
            raw.send(new byte[] {2});
            raw.send(WireFrames.batch(0, 42, 9, WireFrames.message(Wire.TELL, src, Handle.of(3, 1), 0, x)));
            // 3. oversize
            raw.send(WireFrames.batch(0, 42, 9, WireFrames.message(Wire.TELL, src, echo, 0, new byte[8192])));
            // 4. undecodable payload (unknown codec type id)
            raw.send(WireFrames.batch(0, 42, 9, WireFrames.message(Wire.TELL, src, echo, 0,
                    new byte[] {(byte) 0xFF, (byte) 0x7F})));
            // 5. unknown target handle on this node: the node dead-letters it
            raw.send(WireFrames.batch(0, 42, 9, WireFrames.message(Wire.TELL, src, Handle.of(2, 999_999), 0, x)));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && (c2.stats().malformed() < 5 || c2.stats().oversize() < 1
                    || c2.stats().undecodable() < 1 || unknownTargets.get() < 1)) {
                Thread.sleep(10);
            }
            ClusterStats s = c2.stats();
            assertEquals(5, s.malformed(), s.toString());
            assertEquals(1, s.oversize(), s.toString());
            assertEquals(1, s.undecodable(), s.toString());
            assertEquals(1, unknownTargets.get());
            // still serving a real peer
            assertEquals("alive", one.call(echo, "alive", Duration.ofSeconds(10)));
            assertTrue(two.stats().liveServices() >= 1);
            raw.close();
        }
    }
}
