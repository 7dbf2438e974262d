package io.loomnet.transport.zmq;

import static io.loomnet.transport.zmq.TestSupport.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.internal.MachineRuntime;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Churn: eight threads started on one barrier create and destroy machines (shared and distinct names, six ports
 * reused over and over) while client threads send requests and open raw TCP connections. No deadlock, no JeroMQ
 * failure, every destroy within 1.5 s; afterwards no Loomnet or JeroMQ thread, no open socket, the process's file
 * descriptors back to the exact starting count, every destroyed machine's port free, and a fresh machine answers.
 *
 * <p>The default build runs it once; {@code ChurnSoakTest} (tag {@code slow}) runs it 20 times in a row.
 */
class ChurnStressTest {
    private static final int CHURN_THREADS = 8;
    private static final int ITERATIONS = 15;
    private static final int CLIENT_THREADS = 2;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldChurnMachinesUnderTrafficWithoutDeadlockOrLeaks() throws Exception {
        churnOnce();
    }

    /** One churn round with every check; {@code ChurnSoakTest} repeats it. */
    static void churnOnce() throws Exception {
        warmUp();
        long fdsBefore = TestSupport.openFds();
        long t0 = System.nanoTime();

        MachineManager manager = new MachineManager();
        ZContext clients = new ZContext(1);
        clients.setLinger(0);
        int[] ports = new int[6];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = TestSupport.freePort();
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong created = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong startFailures = new AtomicLong();
        AtomicLong destroyed = new AtomicLong();
        AtomicLong maxDestroyMs = new AtomicLong();
        AtomicLong replies = new AtomicLong();
        AtomicLong rawConnects = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> slowDestroys = new ConcurrentLinkedQueue<>();
        CyclicBarrier barrier = new CyclicBarrier(CHURN_THREADS + CLIENT_THREADS);

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CHURN_THREADS; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().name("churn-" + t).start(() -> {
                try {
                    barrier.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < ITERATIONS; i++) {
                        String name = i % 2 == 0 ? "shared-" + rnd.nextInt(2) : "distinct-" + id + "-" + i;
                        int port = ports[rnd.nextInt(ports.length)];
                        MachineSpec spec = MachineSpec.builder("tcp://127.0.0.1:" + port, TestSupport.ECHO)
                                .bindTimeout(Duration.ofMillis(100)).build();
                        boolean mine = false;
                        try {
                            manager.create(name, spec);
                            created.incrementAndGet();
                            mine = true;
                        } catch (DuplicateMachineException e) {
                            duplicates.incrementAndGet();
                        } catch (MachineStartException e) {
                            startFailures.incrementAndGet(); // port held by another live machine
                        }
                        String victim = mine && rnd.nextInt(5) > 0 ? name : "shared-" + rnd.nextInt(2);
                        long d0 = System.nanoTime();
                        Machine vm = manager.find(victim).orElse(null);
                        manager.destroy(victim).ifPresent(r -> {
                            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - d0);
                            maxDestroyMs.accumulateAndGet(ms, Math::max);
                            destroyed.incrementAndGet();
                            if (ms >= 300) {
                                System.out.println("slow destroy: " + ms + " ms " + r.stopped() + " " + (vm == null ? "?" : vm.lifecycle()));
                            }
                            if (ms >= 1500 || !r.clean()) {
                                slowDestroys.add(victim + " " + ms + " ms " + r + " lifecycle " + (vm == null ? "?" : vm.lifecycle()));
                            }
                        });
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (int c = 0; c < CLIENT_THREADS; c++) {
            threads.add(Thread.ofPlatform().name("client-" + c).start(() -> {
                try {
                    barrier.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (running.get()) {
                        int port = ports[rnd.nextInt(ports.length)];
                        try (ZMQ.Socket req = clients.createSocket(SocketType.REQ)) {
                            req.setLinger(0);
                            req.setReceiveTimeOut(100);
                            req.connect("tcp://127.0.0.1:" + port);
                            req.send("ping");
                            if (req.recv() != null) {
                                replies.incrementAndGet();
                            }
                        }
                        try {
                            new Socket("127.0.0.1", port).close();
                            rawConnects.incrementAndGet();
                        } catch (java.io.IOException refused) {
                            // no machine on that port right now
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (int i = 0; i < CHURN_THREADS; i++) {
            threads.get(i).join();
        }
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures.toString(), failures, empty());
        assertThat(slowDestroys.toString(), slowDestroys, empty());
        for (Machine m : manager.list()) {
            assertThat(manager.destroy(m.name()).orElseThrow().clean(), is(true));
        }
        assertThat(manager.list(), empty());
        assertThat(manager.openSocketCount(), is(0));
        assertThat(TestSupport.threadsNamed(MachineRuntime.PROXY_THREAD_PREFIX), empty());
        assertThat(TestSupport.threadsNamed(MachineRuntime.WORKER_THREAD_PREFIX), empty());
        assertThat(manager.connectionEventStats().dropped(), is(0L));
        for (int port : ports) {
            try (java.net.ServerSocket free = new java.net.ServerSocket()) {
                free.setReuseAddress(true);
                free.bind(new java.net.InetSocketAddress("127.0.0.1", port)); // throws if a destroyed machine kept it
            }
        }
        Machine fresh = manager.create("fresh", MachineSpec.builder("tcp://127.0.0.1:" + ports[0], TestSupport.ECHO)
                .build());
        assertThat(TestSupport.request(clients, fresh.endpoint(), "after churn"), is(List.of("after churn")));
        assertThat(manager.destroy("fresh").orElseThrow().clean(), is(true));
        CloseReport closed = manager.shutdown();
        clients.close();
        // Checked after the close, so a failure here cannot leave this round's threads to the next test.
        assertThat(closed.toString(), closed.clean(), is(true));
        assertThat("failures on machine loops or JeroMQ threads while they served", manager.loopErrors(), is(0L));
        await("JeroMQ and machine threads to end", Duration.ofSeconds(10),
                () -> TestSupport.transportThreads().isEmpty());
        // Channels closed by JeroMQ's reaper are released asynchronously; wait for the count, never sleep.
        await("file descriptors back to " + fdsBefore, Duration.ofSeconds(10),
                () -> TestSupport.openFds() <= fdsBefore);
        long fdsAfter = TestSupport.openFds();
        System.out.printf("churn: %d ms, created %d, duplicates %d, start failures %d, destroyed %d, max destroy %d ms,"
                        + " replies %d, raw connects %d, fds %d -> %d%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), created.get(), duplicates.get(),
                startFailures.get(), destroyed.get(), maxDestroyMs.get(), replies.get(), rawConnects.get(),
                fdsBefore, fdsAfter);
        assertThat(created.get(), greaterThan(0L));
        assertThat(destroyed.get(), greaterThan(0L));
        assertThat(maxDestroyMs.get(), lessThan(1500L));
        assertThat(fdsAfter, is(fdsBefore));
    }

    /** One full manager lifecycle first, so that classes, JDK selector providers and logging are loaded. */
    private static void warmUp() {
        try (MachineManager m = new MachineManager(); ZContext clients = new ZContext(1)) {
            Machine machine = m.create("warm-up", TestSupport.echoSpec());
            TestSupport.request(clients, machine.endpoint(), "warm");
        }
        TestSupport.awaitNoTransportThreads("warm-up threads to end", Duration.ofSeconds(10));
    }
}
