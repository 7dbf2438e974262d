package io.loomnet.transport.zmq;

import static io.loomnet.transport.zmq.TestSupport.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.internal.MachineRuntime;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MachineManagerTest {
    private MachineManager manager;
    private ZContext clients;

    @BeforeEach
    void setUp() {
        manager = new MachineManager();
        clients = new ZContext(1);
        clients.setLinger(0);
    }

    @AfterEach
    void tearDown() {
        clients.close();
        CloseReport r = manager.shutdown();
        assertThat(r.toString(), r.clean(), is(true));
    }

    @Test
    void shouldEchoRequestsThroughTheMachine() {
        Machine m = manager.create("echo", TestSupport.echoSpec());
        assertThat(m.endpoint(), startsWith("tcp://127.0.0.1:"));
        assertThat(TestSupport.request(clients, m.endpoint(), "a", "b"), contains("a", "b"));
        assertThat(manager.find("echo").orElseThrow(), is(m));
        assertThat(manager.list(), contains(m));
    }

    @Test
    void shouldRejectDuplicateNameWithClearMessageAndKeepTheFirstMachine() {
        Machine first = manager.create("dup", TestSupport.echoSpec());
        DuplicateMachineException e = assertThrows(DuplicateMachineException.class,
                () -> manager.create("dup", TestSupport.echoSpec()));
        assertThat(e.getMessage(), containsString("machine 'dup' already exists (bound to " + first.endpoint()));
        assertThat(TestSupport.request(clients, first.endpoint(), "still-there"), contains("still-there"));
    }

    @Test
    void shouldFailStartNamingMachineAndEndpointWhenPortStaysInUse() throws IOException {
        try (java.net.ServerSocket blocker = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            String ep = "tcp://127.0.0.1:" + blocker.getLocalPort();
            MachineSpec spec = MachineSpec.builder(ep, TestSupport.ECHO).bindTimeout(Duration.ofMillis(100)).build();
            MachineStartException e = assertThrows(MachineStartException.class, () -> manager.create("busy", spec));
            assertThat(e.getMessage(), containsString("machine 'busy'"));
            assertThat(e.getMessage(), containsString(ep));
            assertThat(e.getMessage(), containsString("100 ms"));
        }
        assertThat(manager.find("busy").isPresent(), is(false));
        await("the failed machine's threads to end", Duration.ofSeconds(2),
                () -> TestSupport.threadsNamed(MachineRuntime.PROXY_THREAD_PREFIX + "busy").isEmpty());
    }

    @Test
    void shouldRebindTheSamePortRightAfterDestroy() {
        int port = TestSupport.freePort();
        MachineSpec spec = MachineSpec.builder("tcp://127.0.0.1:" + port, TestSupport.ECHO).build();
        for (int i = 0; i < 5; i++) {
            Machine m = manager.create("again", spec);
            assertThat(TestSupport.request(clients, m.endpoint(), "gen" + i), contains("gen" + i));
            assertThat(manager.destroy("again").orElseThrow().clean(), is(true));
        }
        assertThat(manager.destroy("again").isPresent(), is(false));
    }

    /**
     * Fix 1: every machine stops through its own control client. Many destroys run at once on a barrier; with
     * the seed's one shared control socket (connect, send, disconnect from many threads) this raced on a
     * socket that is not thread-safe. Each destroy must return within the stop deadline with a clean report
     * that names its own {@code proxy/control} step.
     */
    @Test
    void shouldDestroyManyMachinesAtOnceEachThroughItsOwnControlClient() throws Exception {
        int n = 8;
        List<Machine> machines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            machines.add(manager.create("c" + i, TestSupport.echoSpec()));
        }
        for (Machine m : machines) {
            assertThat(TestSupport.request(clients, m.endpoint(), m.name()), contains(m.name()));
        }
        CyclicBarrier barrier = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Long>> times = new ArrayList<>();
            for (Machine m : machines) {
                times.add(pool.submit(() -> {
                    barrier.await();
                    long t0 = System.nanoTime();
                    CloseReport r = manager.destroy(m.name()).orElseThrow();
                    assertThat(r.toString(), r.clean(), is(true));
                    assertThat(r.stopped(), org.hamcrest.Matchers.hasItem("proxy/control"));
                    return System.nanoTime() - t0;
                }));
            }
            for (Future<Long> f : times) {
                assertThat(TimeUnit.NANOSECONDS.toMillis(f.get()), lessThan(1500L));
            }
        } finally {
            pool.shutdown();
        }
        assertThat(manager.list(), empty());
        assertThat(TestSupport.threadsNamed(MachineRuntime.PROXY_THREAD_PREFIX), empty());
        assertThat(TestSupport.threadsNamed(MachineRuntime.WORKER_THREAD_PREFIX), empty());
        assertThat(manager.openSocketCount(), is(0));
    }

    /**
     * Fix 2: stop order monitor → proxy → delete, enforced by the machine's scope. The report lists the steps in
     * the order they stopped, and the lifecycle log, written by the threads doing the work, shows that
     * connection tracking had stopped before the proxy returned and that the proxy's sockets were closed before
     * the worker loop closed. Clients stay connected during the destroy, so the frontend's close produces
     * events; they arrive after tracking stopped and are ignored as stale.
     */
    @Test
    void shouldStopMonitorThenProxyThenDelete() throws Exception {
        stopInOrder("ordered", TestSupport.echoSpec(), "frontend", List.of("delete/context machine-ordered-"));
    }

    /** Fix 2 for a machine with a proxy in front of several worker loops: the workers stop after the proxy. */
    @Test
    void shouldStopMonitorThenProxyThenWorkersThenContext() throws Exception {
        MachineSpec spec = MachineSpec.builder("tcp://127.0.0.1:*", TestSupport.ECHO).workerThreads(2).build();
        stopInOrder("ordered-proxy", spec, "proxy",
                List.of("delete/worker-1", "delete/worker-0", "delete/context machine-ordered-proxy-"));
    }

    private void stopInOrder(String name, MachineSpec spec, String frontendRole, List<String> deleteSteps)
            throws Exception {
        Machine m = manager.create(name, spec);
        assertThat(TestSupport.request(clients, m.endpoint(), "before"), contains("before"));
        List<Socket> raw = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            raw.add(new Socket("127.0.0.1", TestSupport.port(m.endpoint())));
        }
        await("3 peers", Duration.ofSeconds(5), () -> m.peerCount() == 3);
        long staleBefore = manager.connectionEventStats().stale();

        CloseReport r = manager.destroy(name).orElseThrow();

        assertThat(r.toString(), r.clean(), is(true));
        assertThat(r.stopped().stream().map(s -> s.substring(0, s.indexOf('/'))).distinct().toList(),
                contains("monitor", "proxy", "delete"));
        assertThat(r.stopped().get(0), is("monitor/peer-tracking"));
        assertThat(r.stopped().get(1), is("proxy/control"));
        assertThat(r.stopped().get(2), startsWith("proxy/thread " + MachineRuntime.PROXY_THREAD_PREFIX + name));
        for (int i = 0; i < deleteSteps.size(); i++) {
            assertThat(r.toString(), r.stopped().get(3 + i), startsWith(deleteSteps.get(i)));
        }
        List<String> log = m.lifecycle();
        String released = "monitor: stopped (3 live peers released)";
        String terminated = frontendRole + ": TERMINATE received";
        String closed = frontendRole + ": sockets closed";
        assertThat(log.toString(), log.indexOf(released), greaterThan(0));
        assertThat(log.toString(), log.indexOf(released), lessThan(log.indexOf(terminated)));
        assertThat(log.toString(), log.indexOf(terminated), lessThan(log.indexOf(closed)));
        if (spec.workerThreads() > 1) {
            assertThat(log.toString(), log.indexOf(closed), lessThan(log.indexOf("worker-0: closed")));
        }
        assertThat(m.peerCount(), is(0));
        // The frontend's CLOSED/MONITOR_STOPPED come from the reaper after tracking stopped: stale, ignored.
        await("stale events after destroy", Duration.ofSeconds(5),
                () -> manager.connectionEventStats().stale() > staleBefore);
        assertThat(m.peerCount(), is(0));
        for (Socket s : raw) {
            s.close();
        }
    }

    /**
     * Fix 3: events for a machine that is gone are looked up at use and ignored. Destroy machines while clients
     * are connected and keep churning connections to another machine: the late events of the destroyed ones
     * must not disturb the event loop, which keeps counting the survivor's peers exactly.
     */
    @Test
    void shouldIgnoreEventsOfDestroyedMachinesAndKeepCountingOthers() throws Exception {
        Machine survivor = manager.create("survivor", TestSupport.echoSpec());
        for (int round = 0; round < 5; round++) {
            Machine doomed = manager.create("doomed", TestSupport.echoSpec());
            List<Socket> raw = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                raw.add(new Socket("127.0.0.1", TestSupport.port(doomed.endpoint())));
            }
            await("4 peers on doomed", Duration.ofSeconds(5), () -> doomed.peerCount() == 4);
            manager.destroy("doomed").orElseThrow();
            for (Socket s : raw) {
                s.close();
            }
            Socket probe = new Socket("127.0.0.1", TestSupport.port(survivor.endpoint()));
            await("survivor counts the probe", Duration.ofSeconds(5), () -> survivor.peerCount() == 1);
            probe.close();
            await("survivor back to 0", Duration.ofSeconds(5), () -> survivor.peerCount() == 0);
        }
        assertThat(manager.connectionEventStats().stale(), greaterThan(0L));
        assertThat(manager.connectionEventStats().dropped(), is(0L));
    }

    /**
     * Fix 5: create is atomic. Eight threads create one name at once on a free port each time ({@code *}), so
     * binding alone cannot stop a second machine: with the seed's lock taken only around the insert, several
     * machines would start and all but one leak. Exactly one create must win, the rest fail cleanly, and only
     * one proxy thread of that name may exist.
     */
    @Test
    void shouldStartExactlyOneMachineWhenCreatesOfOneNameRace() throws Exception {
        for (int round = 0; round < 3; round++) {
            int n = 8;
            CyclicBarrier barrier = new CyclicBarrier(n);
            AtomicInteger won = new AtomicInteger();
            AtomicInteger duplicate = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(n);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    barrier.await();
                    try {
                        manager.create("contested", TestSupport.echoSpec());
                        won.incrementAndGet();
                    } catch (DuplicateMachineException e) {
                        duplicate.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            assertThat(won.get(), is(1));
            assertThat(duplicate.get(), is(n - 1));
            assertThat(TestSupport.threadsNamed(MachineRuntime.PROXY_THREAD_PREFIX + "contested-"), hasSize(1));
            Machine m = manager.find("contested").orElseThrow();
            assertThat("round " + round, TestSupport.request(clients, m.endpoint(), "x"), contains("x"));
            manager.destroy("contested").orElseThrow();
            assertThat(TestSupport.threadsNamed(MachineRuntime.PROXY_THREAD_PREFIX + "contested-"), empty());
        }
    }

    /**
     * Fix 6: the connection-event plumbing is always drained and never blocks JeroMQ's I/O thread. With an
     * undrained monitor socket JeroMQ's I/O thread blocks after about a thousand events and the whole context
     * freezes (measured: after 336 connect/disconnect cycles). Run 1500 raw TCP connect/close cycles, then the
     * machine must still answer, nothing may be dropped, and the count must be back to zero.
     */
    @Test
    void shouldStayResponsiveAfterThousandsOfConnectionEvents() throws Exception {
        Machine m = manager.create("events", TestSupport.echoSpec());
        int port = TestSupport.port(m.endpoint());
        long before = manager.connectionEventStats().received();
        for (int i = 0; i < 1500; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoLinger(true, 0);
            }
        }
        assertThat(TestSupport.request(clients, m.endpoint(), "alive"), contains("alive"));
        await("peer count back to 0", Duration.ofSeconds(10), () -> m.peerCount() == 0);
        await("all 3000 accept/disconnect events received", Duration.ofSeconds(10),
                () -> manager.connectionEventStats().received() - before >= 3000);
        assertThat(manager.connectionEventStats().dropped(), is(0L));
    }

    /**
     * Fix 7: peer counts are a set of channels and equal the live connections, including raw TCP connections
     * that never complete a ZeroMQ handshake. JeroMQ 0.6.0 never emits HANDSHAKE_SUCCEEDED, so the seed's
     * "+1 on handshake, -1 on disconnect" counter went negative here; a sampler thread checks it never does.
     */
    @Test
    void shouldCountLiveRawAndZmqPeersExactlyAndNeverNegative() throws Exception {
        Machine m = manager.create("peers", TestSupport.echoSpec());
        int port = TestSupport.port(m.endpoint());
        AtomicBoolean sampling = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Integer> negatives = new ConcurrentLinkedQueue<>();
        Thread sampler = Thread.ofPlatform().name("peer-sampler").start(() -> {
            while (sampling.get()) {
                int c = m.peerCount();
                if (c < 0) {
                    negatives.add(c);
                }
                Thread.onSpinWait();
            }
        });
        for (int round = 0; round < 3; round++) {
            List<Socket> raw = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                raw.add(new Socket("127.0.0.1", port));
            }
            await("5 raw peers", Duration.ofSeconds(5), () -> m.peerCount() == 5);
            List<ZMQ.Socket> dealers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ZMQ.Socket d = clients.createSocket(SocketType.DEALER);
                d.setLinger(0);
                d.connect(m.endpoint());
                dealers.add(d);
            }
            await("5 raw + 3 ZeroMQ peers", Duration.ofSeconds(5), () -> m.peerCount() == 8);
            for (int i = 0; i < 2; i++) {
                raw.remove(0).close();
            }
            await("3 raw + 3 ZeroMQ peers", Duration.ofSeconds(5), () -> m.peerCount() == 6);
            for (ZMQ.Socket d : dealers) {
                d.close();
            }
            await("3 raw peers", Duration.ofSeconds(5), () -> m.peerCount() == 3);
            for (Socket s : raw) {
                s.close();
            }
            await("no peers", Duration.ofSeconds(5), () -> m.peerCount() == 0);
        }
        sampling.set(false);
        sampler.join();
        assertThat(negatives, empty());
    }

    /** Fix 8: the names are spelled right in the API and in the scope's stages. */
    @Test
    void shouldSpellMonitorAndDestroyRight() throws Exception {
        for (Class<?> c : List.of(MachineManager.class, Machine.class, MachineRuntime.class)) {
            for (Method method : c.getDeclaredMethods()) {
                String n = method.getName().toLowerCase(Locale.ROOT);
                assertThat(c + "." + method.getName(), n.contains("destory") || n.contains("moitor"), is(false));
            }
        }
        assertThat(MachineManager.class.getMethod("destroy", String.class), org.hamcrest.Matchers.notNullValue());
        assertThat(Arrays.asList(MachineRuntime.STAGE_MONITOR, MachineRuntime.STAGE_PROXY, MachineRuntime.STAGE_DELETE),
                contains("monitor", "proxy", "delete"));
        manager.create("named", TestSupport.echoSpec());
        assertThat(manager.destroy("named").orElseThrow().stopped().get(0), startsWith("monitor/"));
    }

    @Test
    void shouldCloseIdempotentlyDestroyingNewestFirstAndRefuseLaterCreates() {
        manager.create("one", TestSupport.echoSpec());
        manager.create("two", TestSupport.echoSpec());
        CloseReport r = manager.shutdown();
        assertThat(r.toString(), r.clean(), is(true));
        assertThat(r.stopped(), contains("machines/machine 'two'", "machines/machine 'one'",
                "connection-events/connection-event-loop"));
        assertThat(manager.shutdown(), is(r));
        MachineException e = assertThrows(MachineException.class, () -> manager.create("three",
                TestSupport.echoSpec()));
        assertThat(e.getMessage(), containsString("closed"));
        assertThat(manager.list(), empty());
        assertThat(manager.find("one").isPresent(), is(false));
        assertThat(manager.destroy("one").isPresent(), is(false));
        assertThat(r.elapsedNanos(), greaterThanOrEqualTo(0L));
        assertThat(TestSupport.threadsNamed(MachineRuntime.PROXY_THREAD_PREFIX), equalTo(List.of()));
    }
}
