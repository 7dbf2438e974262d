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
 * Bad input from the network, sent from a raw JeroMQ DEALER: every kind is counted and dropped, and the node
 * keeps serving.
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

            ZMQ.Socket raw = ctx.createSocket(SocketType.DEALER);
            raw.setLinger(0);
            raw.setReceiveTimeOut(5000);
            raw.connect(e2);
            Handle src = Handle.of(9, 1);
            // 1. a PING is answered: the raw socket really talks to the inbox
            send(raw, Frame.encode(Frame.Kind.PING, src, Handle.of(2, 0), 7, null));
            raw.recv(); // empty delimiter
            Frame pong = Frame.parse(raw.recv());
            assertNotNull(pong);
            assertEquals(Frame.Kind.PONG, pong.kind());
            assertEquals(7, pong.session());
            // 2. malformed: too short, bad magic, unknown kind, two body frames, target on another node
            send(raw, new byte[] {1, 2, 3});
            byte[] badMagic = Frame.encode(Frame.Kind.TELL, src, echo, 0, new byte[] {0});
            badMagic[0] = 0x00;
            send(raw, badMagic);
            byte[] badKind = Frame.encode(Frame.Kind.TELL, src, echo, 0, new byte[] {0});
            badKind[2] = 99;
            send(raw, badKind);
            raw.send(new byte[0], ZMQ.SNDMORE);
            raw.send(new byte[] {1}, ZMQ.SNDMORE);
            raw.send(new byte[] {2});
            send(raw, Frame.encode(Frame.Kind.TELL, src, Handle.of(3, 1), 0, ClusterTest.codec().encode("x")));
            // 3. oversize
            send(raw, Frame.encode(Frame.Kind.TELL, src, echo, 0, new byte[8192]));
            // 4. undecodable payload (unknown codec type id)
            send(raw, Frame.encode(Frame.Kind.TELL, src, echo, 0, new byte[] {(byte) 0xFF, (byte) 0x7F}));
            // 5. unknown target handle on this node: the node dead-letters it
            send(raw, Frame.encode(Frame.Kind.TELL, src, Handle.of(2, 999_999), 0, ClusterTest.codec().encode("x")));

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

    private static void send(ZMQ.Socket raw, byte[] frame) {
        raw.send(new byte[0], ZMQ.SNDMORE);
        raw.send(frame);
    }
}
