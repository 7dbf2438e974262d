package io.loomnet.transport.zmq;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The first request on a brand-new connection is answered: 2,000 fresh connections, each sending one request and
 * waiting at most 1 s for its reply, while every core is kept busy by a spinning thread. Not one may go unanswered.
 *
 * <p>Where first requests went missing before: not in the server. JeroMQ 0.6.0's <em>client</em> poller can strand
 * a connecting socket (its engine is never polled, so its greeting and its queued request are never sent; see
 * {@code docs/protocol.md}). So the clients here are a hand-written ZMTP 3.0 REQ ({@link RawZmtp}, standing for
 * libzmq and every other correct client), and JeroMQ REQ sockets that wait for their greeting before sending
 * ({@link TestSupport#connected}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FirstRequestTest {
    private static final int CONNECTIONS = 2000;

    private final AtomicBoolean spinning = new AtomicBoolean(true);
    private final List<Thread> spinners = new ArrayList<>();
    private MachineManager manager;
    private Machine machine;

    @BeforeEach
    void busyCoresAndAMachine() {
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            spinners.add(Thread.ofPlatform().daemon(true).name("spinner-" + i).start(() -> {
                long x = 0;
                while (spinning.get()) {
                    x += System.nanoTime() & 7; // burn a core
                }
                if (x == 42) {
                    System.out.print("");
                }
            }));
        }
        manager = new MachineManager();
        machine = manager.create("first-requests", TestSupport.echoSpec());
    }

    @AfterEach
    void stop() throws InterruptedException {
        spinning.set(false);
        for (Thread t : spinners) {
            t.join();
        }
        assertThat(manager.shutdown().clean(), is(true));
    }

    @Test
    void shouldAnswerEveryFirstRequestOfAZmtpClient() {
        List<String> unanswered = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            String body = "request-" + i;
            try (RawZmtp client = RawZmtp.connect(machine.endpoint()).readTimeout(1000)) {
                client.handshakeAndRead("REQ");
                client.sendMessage(new byte[0], body.getBytes(StandardCharsets.UTF_8));
                List<byte[]> reply = client.readMessage();
                if (reply.size() != 2 || !body.equals(new String(reply.get(1), StandardCharsets.UTF_8))) {
                    unanswered.add(body + ": wrong reply");
                }
            } catch (RuntimeException e) {
                unanswered.add(body + ": " + e);
            }
        }
        assertThat(unanswered.toString(), unanswered, empty());
        assertThat(machine.stats().requests(), is((long) CONNECTIONS));
        assertThat(machine.stats().droppedReplies(), is(0L));
    }

    @Test
    void shouldAnswerEveryFirstRequestOfAJeroMqClientThatWaitsForItsGreeting() {
        List<String> unanswered = new ArrayList<>();
        try (ZContext clients = new ZContext(1)) {
            clients.setLinger(0);
            for (int i = 0; i < CONNECTIONS; i++) {
                String body = "request-" + i;
                try (ZMQ.Socket req = TestSupport.connected(clients, SocketType.REQ, machine.endpoint())) {
                    req.setReceiveTimeOut(1000);
                    req.send(body.getBytes(StandardCharsets.UTF_8), 0);
                    byte[] reply = req.recv(0);
                    if (reply == null || !body.equals(new String(reply, StandardCharsets.UTF_8))) {
                        unanswered.add(body + (reply == null ? ": no reply within 1 s" : ": wrong reply"));
                    }
                }
            }
        }
        assertThat(unanswered.toString(), unanswered, empty());
        assertThat(machine.stats().requests(), is((long) CONNECTIONS));
    }
}
