package io.loomnet.transport.zmq;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The stall of {@code ZMQ.proxy}, reproduced: a machine whose backend is full (high-water mark 1, two slow worker
 * loops) under bursts from many DEALER clients. JeroMQ's proxy skipped the readable frontend while the backend was
 * full and looked again only on an unrelated wake-up, so requests waited for seconds or for ever. Loomnet's proxy
 * holds the request and waits for the backend: every request is answered, and the machine reports that it held.
 */
class ProxyStallTest {
    private static final int CLIENTS = 20;
    private static final int BURST = 50;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldAnswerEveryRequestOfBurstsThroughAFullBackend() throws Exception {
        // A slow worker: about a millisecond a request on each of its two loops.
        MachineWorker slow = request -> {
            LockSupport.parkNanos(1_000_000);
            request.reply(request.frames());
        };
        try (MachineManager manager = new MachineManager()) {
            Machine m = manager.create("stall", MachineSpec.builder("tcp://127.0.0.1:*", slow)
                    .workerThreads(2).highWaterMark(1).build());
            CyclicBarrier start = new CyclicBarrier(CLIENTS);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(Thread.ofPlatform().name("burst-" + c).start(() -> {
                    try (ZContext ctx = new ZContext(1);
                         ZMQ.Socket d = ZmqClients.connect(ctx, SocketType.DEALER, m.endpoint(),
                                 Duration.ofSeconds(10))) {
                        d.setReceiveTimeOut(30_000);
                        d.setSndHWM(0);
                        start.await();
                        for (int i = 0; i < BURST; i++) {
                            d.send(new byte[0], ZMQ.SNDMORE);
                            d.send(("c" + id + "-" + i).getBytes(StandardCharsets.UTF_8), 0);
                        }
                        Set<String> seen = new HashSet<>();
                        for (int i = 0; i < BURST; i++) {
                            List<String> reply = TestSupport.receive(d);
                            if (reply == null) {
                                problems.add("client " + id + ": " + (BURST - i) + " of " + BURST
                                        + " requests unanswered after 30 s");
                                return;
                            }
                            seen.add(reply.get(reply.size() - 1));
                        }
                        if (seen.size() != BURST) {
                            problems.add("client " + id + ": " + seen.size() + " distinct replies of " + BURST);
                        }
                    } catch (Exception e) {
                        problems.add("client " + id + ": " + e);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
            MachineStats stats = m.stats();
            System.out.println("stall test: " + stats);
            assertThat(problems + "; " + stats, problems, empty());
            assertThat(stats.requests(), is((long) CLIENTS * BURST));
            assertThat("the backend was really full at times", stats.heldRequests(), greaterThan(0L));
            assertThat(stats.droppedReplies(), is(0L));
            assertThat(stats.jeromqErrors(), is(0L));
        }
    }
}
