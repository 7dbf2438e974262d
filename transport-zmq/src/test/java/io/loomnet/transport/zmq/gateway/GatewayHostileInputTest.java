package io.loomnet.transport.zmq.gateway;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.HostileInputs;
import io.loomnet.transport.zmq.RawZmtp;
import io.loomnet.transport.zmq.TestSupport;
import io.loomnet.transport.zmq.ZmqClients;

/**
 * Hostile input to a service gateway: raw TCP peers with malformed greetings, wrong socket types, truncated
 * headers, huge and negative declared sizes, truncated PING commands, random bytes and slow trickles, and a ZeroMQ
 * peer with malformed requests, all while a real client keeps calling. The real client is answered every time, the
 * gateway's I/O thread never fails, and closing the node is clean, with threads and file descriptors back to where
 * they started.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GatewayHostileInputTest {
    /** One full lifecycle first, so that classes, JDK selector providers and logging hold their descriptors. */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        Node node = upperNode(60);
        ServiceGateway gw = ServiceGateway.bind(node, "tcp://127.0.0.1:*", GatewayConfig.defaults());
        try (ZContext clients = new ZContext(1); RawZmtp raw = RawZmtp.connect(gw.endpoint()).readTimeout(2000)) {
            raw.handshakeAndRead("REQ");
            upper(clients, gw.endpoint(), "warm");
        }
        node.close();
        TestSupport.await("warm-up threads to end", Duration.ofSeconds(10),
                () -> TestSupport.transportThreads().isEmpty());
    }

    private static Node upperNode(int id) {
        Node node = Node.builder().nodeId(id).start();
        node.spawn(() -> (ctx, msg) -> ctx.reply(new String((byte[]) msg.payload(), StandardCharsets.UTF_8)
                .toUpperCase()), ServiceOptions.defaults().withName("upper"));
        return node;
    }

    private static List<String> upper(ZContext clients, String endpoint, String text) {
        return TestSupport.request(clients, endpoint, "upper", text);
    }

    /**
     * The regression of JeroMQ 0.6.0's decoder hole: one connection that completes the ZMTP handshake and then
     * declares a long frame of size {@code 0x8000000080000000}. Before the guard, the decoder threw
     * {@code NegativeArraySizeException} on the I/O thread, the connection's engine stayed wedged, a later request
     * went unanswered and the node's close was not clean.
     */
    @Test
    void shouldSurviveANegativeDeclaredFrameSize() {
        java.util.Map<String, String> fds = TestSupport.fdTargets();
        Node node = upperNode(61);
        ServiceGateway gw = ServiceGateway.bind(node, "tcp://127.0.0.1:*", GatewayConfig.defaults());
        try (ZContext clients = new ZContext(1)) {
            clients.setLinger(0);
            assertThat(upper(clients, gw.endpoint(), "before"), contains("ok", "BEFORE"));
            try (RawZmtp hostile = RawZmtp.connect(gw.endpoint()).readTimeout(2000)) {
                hostile.handshakeAndRead("REQ");
                hostile.send(RawZmtp.longFrameHeader(false, 0x8000000080000000L)).send(new byte[100]);
                TestSupport.await("the guard to refuse the frame", Duration.ofSeconds(10),
                        () -> gw.machineStats().refusedFrames() == 1);
                for (int i = 0; i < 20; i++) {
                    assertThat(upper(clients, gw.endpoint(), "after " + i), contains("ok", "AFTER " + i));
                }
            }
        }
        assertThat(gw.machineStats().jeromqErrors(), is(0L));
        CloseReport r = node.shutdown();
        assertThat(r.toString(), r.clean(), is(true));
        TestSupport.await("threads of node 61 and its gateway to end", Duration.ofSeconds(10),
                () -> TestSupport.transportThreads().isEmpty() && TestSupport.threadsNamed("loomnet-61-").isEmpty());
        TestSupport.awaitFdsBackTo(fds, Duration.ofSeconds(10));
    }

    @Test
    void shouldServeRealTrafficWhileFuzzedFromRawTcpAndZeroMq() throws Exception {
        java.util.Map<String, String> fds = TestSupport.fdTargets();
        Node node = upperNode(62);
        ServiceGateway gw = ServiceGateway.bind(node, "tcp://127.0.0.1:*", GatewayConfig.defaults());
        String ep = gw.endpoint();
        AtomicBoolean fuzzing = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong hostileRequests = new AtomicLong();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(4);
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform().name("real-client").start(() -> {
            try (ZContext clients = new ZContext(1)) {
                clients.setLinger(0);
                start.await();
                // One long-lived connection and fresh ones, while the fuzzers run.
                try (ZMQ.Socket req = ZmqClients.connect(clients, SocketType.REQ, ep, Duration.ofSeconds(10))) {
                    req.setReceiveTimeOut(TestSupport.REPLY_TIMEOUT_MS);
                    for (int i = 0; fuzzing.get() || i < 200; i++) {
                        String text = "call " + i;
                        sent.incrementAndGet();
                        List<String> reply;
                        if (i % 5 == 0) {
                            reply = upper(clients, ep, text);
                        } else {
                            req.sendMore("upper");
                            req.send(text);
                            reply = TestSupport.receive(req);
                        }
                        if (List.of("ok", text.toUpperCase()).equals(reply)) {
                            answered.incrementAndGet();
                        } else {
                            wrong.add(text + " -> " + reply);
                            return;
                        }
                    }
                }
            } catch (Exception e) {
                wrong.add(e.toString());
            }
        }));
        for (int f = 0; f < 2; f++) {
            long seed = 1000 + f;
            threads.add(Thread.ofPlatform().name("fuzzer-" + f).start(() -> {
                Random rnd = new Random(seed);
                try {
                    start.await();
                    HostileInputs.run(ep, rnd, 150);
                } catch (Exception e) {
                    wrong.add("fuzzer: " + e);
                }
            }));
        }
        threads.add(Thread.ofPlatform().name("zeromq-fuzzer").start(() -> {
            // Malformed gateway requests from a real ZeroMQ DEALER: each gets an error reply, none stops the loop.
            try (ZContext z = new ZContext(1);
                 ZMQ.Socket d = ZmqClients.connect(z, SocketType.DEALER, ep, Duration.ofSeconds(10))) {
                d.setReceiveTimeOut(TestSupport.REPLY_TIMEOUT_MS);
                start.await();
                Random rnd = new Random(7);
                for (int i = 0; i < 300; i++) {
                    d.send(new byte[0], ZMQ.SNDMORE);
                    int frames = rnd.nextInt(4);
                    for (int k = 0; k < frames; k++) {
                        byte[] b = new byte[rnd.nextInt(k == 0 ? 400 : 64)];
                        rnd.nextBytes(b);
                        d.send(b, k < frames - 1 ? ZMQ.SNDMORE : 0);
                    }
                    if (frames == 0) {
                        d.send(new byte[0], 0);
                    }
                    hostileRequests.incrementAndGet();
                    List<String> reply = TestSupport.receive(d);
                    if (reply == null || reply.size() != 3 || !reply.get(0).isEmpty()) {
                        wrong.add("malformed request " + i + " got " + reply);
                        return;
                    }
                }
            } catch (Exception e) {
                wrong.add("zeromq fuzzer: " + e);
            }
        }));
        for (int i = 1; i < threads.size(); i++) {
            threads.get(i).join();
        }
        fuzzing.set(false);
        threads.get(0).join();
        assertThat(wrong.toString(), wrong, empty());
        assertThat(answered.get(), is(sent.get()));
        assertThat(answered.get(), greaterThan(0L));
        assertThat(gw.machineStats().refusedFrames(), greaterThan(0L));
        assertThat("JeroMQ errors on the gateway's threads", gw.machineStats().jeromqErrors(), is(0L));
        System.out.printf("gateway fuzz: %d real calls answered, %d malformed ZeroMQ requests answered, %d frames "
                + "refused by the guard, stats %s%n", answered.get(), hostileRequests.get(),
                gw.machineStats().refusedFrames(), gw.stats());
        CloseReport r = node.shutdown();
        assertThat(r.toString(), r.clean(), is(true));
        TestSupport.await("threads of node 62 and its gateway to end", Duration.ofSeconds(10),
                () -> TestSupport.transportThreads().isEmpty() && TestSupport.threadsNamed("loomnet-62-").isEmpty());
        TestSupport.awaitFdsBackTo(fds, Duration.ofSeconds(10));
    }
}
