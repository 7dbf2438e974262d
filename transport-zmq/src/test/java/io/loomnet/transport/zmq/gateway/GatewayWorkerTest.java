package io.loomnet.transport.zmq.gateway;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import io.loomnet.transport.zmq.Machine;
import io.loomnet.transport.zmq.MachineManager;
import io.loomnet.transport.zmq.MachineSpec;
import io.loomnet.transport.zmq.TestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GatewayWorkerTest {
    private static final Duration CALL_TIMEOUT = Duration.ofMillis(300);

    private final CompletableFuture<byte[]> slow = new CompletableFuture<>();
    private final CountDownLatch slowCalled = new CountDownLatch(1);
    private final CompletableFuture<byte[]> late = new CompletableFuture<>();

    private final GatewayTarget target = (name, payload, timeout) -> switch (name) {
        case "echo" -> CompletableFuture.completedFuture(payload);
        case "fail" -> CompletableFuture.failedFuture(new IllegalStateException("boom"));
        case "throws" -> throw new IllegalArgumentException("thrown synchronously");
        case "never" -> new CompletableFuture<>();
        case "own-timeout" -> CompletableFuture.failedFuture(new TimeoutException("node gave up"));
        case "slow" -> {
            slowCalled.countDown();
            yield slow;
        }
        case "late" -> late;
        default -> CompletableFuture.failedFuture(new UnknownTargetException(name));
    };

    private MachineManager manager;
    private ZContext clients;
    private GatewayWorker gateway;
    private Machine machine;

    @BeforeEach
    void setUp() {
        manager = new MachineManager();
        clients = new ZContext(1);
        clients.setLinger(0);
        gateway = new GatewayWorker(target, GatewayConfig.defaults().withCallTimeout(CALL_TIMEOUT)
                .withMaxPayloadBytes(16));
        machine = manager.create("gateway", MachineSpec.builder("tcp://127.0.0.1:*", gateway).build());
    }

    @AfterEach
    void tearDown() {
        clients.close();
        assertThat(manager.shutdown().clean(), is(true));
    }

    private List<String> call(String... frames) {
        return TestSupport.request(clients, machine.endpoint(), frames);
    }

    /** Sends raw frames once from a fresh DEALER (connected before it sends) and returns the reply's frames. */
    private List<String> dealer(boolean delimiter, byte[]... frames) {
        try (ZMQ.Socket d = TestSupport.connected(clients, SocketType.DEALER, machine.endpoint())) {
            d.setReceiveTimeOut(TestSupport.REPLY_TIMEOUT_MS);
            if (delimiter) {
                d.send(new byte[0], ZMQ.SNDMORE);
            }
            for (int i = 0; i < frames.length; i++) {
                d.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
            }
            return TestSupport.receive(d);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReplyOkWithTheTargetsBytes() {
        assertThat(call("echo", "hello"), contains("ok", "hello"));
        assertThat(call("echo", ""), contains("ok", ""));
        assertThat(gateway.stats().ok(), greaterThanOrEqualTo(2L));
    }

    @Test
    void shouldReplyErrorNamingTheProblem() {
        assertThat(call("fail", "x"), contains("error", "handler failure: 'fail': boom"));
        assertThat(call("throws", "x"), contains("error", "handler failure: 'throws': thrown synchronously"));
        assertThat(call("nobody", "x"), contains("error", "unknown target: 'nobody'"));
        assertThat(call(":0001:00000000002a", "x"), contains("error", "unknown target: ':0001:00000000002a'"));
        assertThat(call("own-timeout", "x"), contains("error", "timeout: 'own-timeout' did not reply within 300 ms"));
    }

    @Test
    void shouldTimeOutACallThatNeverCompletes() {
        long t0 = System.nanoTime();
        assertThat(call("never", "x"), contains("error", "timeout: 'never' did not reply within 300 ms"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), lessThan(2000L));
        assertThat(gateway.stats().timeouts(), greaterThanOrEqualTo(1L));
        assertThat(gateway.stats().inFlight(), is(0));
    }

    @Test
    void shouldCountAndDropAResultThatArrivesAfterTheTimeout() {
        assertThat(call("late", "x"), contains("error", "timeout: 'late' did not reply within 300 ms"));
        late.complete(utf8("too late"));
        assertThat(gateway.stats().lateReplies(), is(1L));
        assertThat(call("echo", "next"), contains("ok", "next"));
    }

    /**
     * The worker hands calls off: while a call is pending, the same single worker loop keeps answering other
     * requests, and the pending one is answered from the owning thread once it completes on another thread.
     */
    @Test
    void shouldNotBlockTheWorkerLoopWhileACallIsPending() throws Exception {
        try (ZMQ.Socket pending = TestSupport.connected(clients, SocketType.DEALER, machine.endpoint())) {
            pending.setReceiveTimeOut(TestSupport.REPLY_TIMEOUT_MS);
            pending.send(new byte[0], ZMQ.SNDMORE);
            pending.send(utf8("slow"), ZMQ.SNDMORE);
            pending.send(utf8("p"), 0);
            boolean called = slowCalled.await(TestSupport.REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat("the slow call started", called, is(true));
            assertThat(call("echo", "meanwhile"), contains("ok", "meanwhile"));
            Thread completer = Thread.ofVirtual().start(() -> slow.complete(utf8("done")));
            completer.join();
            assertThat(TestSupport.receive(pending), contains("", "ok", "done"));
        }
    }

    @Test
    void shouldAnswerMalformedRequestsWithErrorsAndKeepServing() {
        assertThat(dealer(true, utf8("only-one")),
                contains("", "error", "malformed request: expected 2 frames [target, payload], got 1"));
        assertThat(dealer(true, utf8("echo"), utf8("a"), utf8("b")),
                contains("", "error", "malformed request: expected 2 frames [target, payload], got 3"));
        assertThat(dealer(true, new byte[0], utf8("p")), contains("", "error", "malformed request: empty target"));
        assertThat(dealer(true, new byte[] {(byte) 0xC3, (byte) 0x28}, utf8("p")),
                contains("", "error", "malformed request: target is not valid UTF-8"));
        assertThat(dealer(true, utf8("x".repeat(300)), utf8("p")),
                contains("", "error", "malformed request: target is 300 bytes, limit 256 bytes"));
        // A DEALER without the empty delimiter gets a reply framed the same way.
        assertThat(dealer(false, utf8("echo"), utf8("p")), contains("ok", "p"));
        assertThat(dealer(false, utf8("lonely")),
                contains("error", "malformed request: expected 2 frames [target, payload], got 1"));
        assertThat(gateway.stats().malformed(), greaterThanOrEqualTo(6L));
        assertThat(call("echo", "still-alive"), contains("ok", "still-alive"));
        assertThat(machine.isRunning(), is(true));
    }

    @Test
    void shouldRejectPayloadsOverTheLimit() {
        assertThat(call("echo", "x".repeat(16)), contains("ok", "x".repeat(16)));
        assertThat(call("echo", "x".repeat(17)), contains("error", "payload too large: 17 bytes for 'echo', limit 16 bytes"));
        assertThat(gateway.stats().tooLarge(), greaterThanOrEqualTo(1L));
    }

    @Test
    void shouldAnswerBusyBeyondTheInFlightLimit() {
        GatewayWorker small = new GatewayWorker(target, GatewayConfig.defaults().withCallTimeout(Duration.ofSeconds(3))
                .withMaxInFlight(1));
        Machine m = manager.create("small", MachineSpec.builder("tcp://127.0.0.1:*", small).build());
        try (ZMQ.Socket pending = TestSupport.connected(clients, SocketType.DEALER, m.endpoint())) {
            pending.send(new byte[0], ZMQ.SNDMORE);
            pending.send(utf8("never"), ZMQ.SNDMORE);
            pending.send(utf8("p"), 0);
            TestSupport.await("the call to be in flight", Duration.ofSeconds(5), () -> small.stats().inFlight() == 1);
            assertThat(TestSupport.request(clients, m.endpoint(), "echo", "x"),
                    contains("error", "busy: 1 calls already in flight on 'small'"));
        }
        manager.destroy("small");
    }

    @Test
    void shouldValidateConfiguration() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GatewayConfig.defaults().withMaxPayloadBytes(-1));
        assertThat(e.getMessage(), is("maxPayloadBytes must not be negative, was -1"));
    }
}
