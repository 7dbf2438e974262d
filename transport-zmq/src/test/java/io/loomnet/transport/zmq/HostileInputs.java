package io.loomnet.transport.zmq;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * The hostile peers of the fuzz tests: each scenario opens one raw TCP connection to a bound ZeroMQ endpoint and
 * sends something no well-behaved ZeroMQ peer would. They are run interleaved with real traffic; the tests check
 * that the real traffic is served in full and that the endpoint closes cleanly afterwards.
 */
public final class HostileInputs {
    private HostileInputs() {
    }

    /**
     * Runs {@code count} scenarios picked by {@code rnd} against {@code endpoint}, one connection each. A connection the
     * server drops mid-scenario is what a hostile peer should expect, not a failure.
     */
    public static void run(String endpoint, Random rnd, int count) {
        for (int i = 0; i < count; i++) {
            NamedScenario s = ALL.get(rnd.nextInt(ALL.size()));
            try {
                s.scenario().run(endpoint, rnd);
            } catch (java.io.UncheckedIOException | IllegalStateException dropped) {
                // the server closed or reset the connection
            }
        }
    }

    /** One hostile connection. */
    public interface Scenario {
        void run(String endpoint, Random rnd);
    }

    /** Declared sizes JeroMQ 0.6.0's own check lets through or that must be refused: top bit set, huge. */
    static final long[] HOSTILE_SIZES = {
        0x8000000080000000L, // negative long, negative int: NegativeArraySizeException before the guard
        0xFFFFFFFFFFFFFFFFL, // -1
        0x80000000FFFFFFFFL, // negative long, int -1
        0x8000000000000010L, // negative long, small positive int
        0x8000000070000000L, // negative long, 1.8 GB int: far over the limit
        0x7FFFFFFFFFFFFFFFL, // Long.MAX_VALUE
        1L << 40,
        0x80000000L, // 2 GiB
        0x7FFFFFFFL,
    };

    /** The scenarios, named for failure messages. */
    public static final List<NamedScenario> ALL = List.of(
            new NamedScenario("random bytes", (ep, rnd) -> {
                byte[] junk = new byte[64 + rnd.nextInt(4096)];
                rnd.nextBytes(junk);
                try (RawZmtp c = RawZmtp.connect(ep)) {
                    c.send(junk);
                }
            }),
            new NamedScenario("greeting then close", (ep, rnd) -> {
                try (RawZmtp c = RawZmtp.connect(ep)) {
                    c.send(RawZmtp.greeting());
                }
            }),
            new NamedScenario("bad signature", (ep, rnd) -> {
                byte[] g = RawZmtp.greeting();
                g[9] = 0x00;
                g[0] = 0x7F;
                try (RawZmtp c = RawZmtp.connect(ep)) {
                    c.send(g).send(new byte[200]);
                }
            }),
            new NamedScenario("wrong socket type", (ep, rnd) -> {
                try (RawZmtp c = RawZmtp.connect(ep)) {
                    c.handshake("PUB").send(RawZmtp.shortFrame(0, new byte[] {1, 2, 3}));
                }
            }),
            new NamedScenario("CURVE greeting to a NULL server", (ep, rnd) -> {
                byte[] g = RawZmtp.greeting();
                System.arraycopy("CURVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, g, 12, 5);
                try (RawZmtp c = RawZmtp.connect(ep)) {
                    c.send(g).send(new byte[100]);
                }
            }),
            new NamedScenario("hostile declared size", (ep, rnd) -> {
                long size = HOSTILE_SIZES[rnd.nextInt(HOSTILE_SIZES.length)];
                try (RawZmtp c = RawZmtp.connect(ep).readTimeout(2000)) {
                    c.handshakeAndRead("DEALER");
                    byte[] tail = new byte[rnd.nextInt(512)];
                    rnd.nextBytes(tail);
                    c.send(RawZmtp.longFrameHeader(rnd.nextBoolean(), size)).send(tail);
                }
            }),
            new NamedScenario("truncated PING command", (ep, rnd) -> {
                byte[] ping = {4, 'P', 'I', 'N', 'G', 0};
                byte[] body = java.util.Arrays.copyOf(ping, 5 + rnd.nextInt(2));
                try (RawZmtp c = RawZmtp.connect(ep).readTimeout(2000)) {
                    c.handshakeAndRead("DEALER");
                    c.send(RawZmtp.shortFrame(0x04, body));
                }
            }),
            new NamedScenario("truncated frame header", (ep, rnd) -> {
                try (RawZmtp c = RawZmtp.connect(ep).readTimeout(2000)) {
                    c.handshakeAndRead("DEALER");
                    c.send(new byte[] {0x02, 0x00, 0x00}); // a long frame whose size stops after two bytes
                }
            }),
            new NamedScenario("frame shorter than declared", (ep, rnd) -> {
                try (RawZmtp c = RawZmtp.connect(ep).readTimeout(2000)) {
                    c.handshakeAndRead("DEALER");
                    c.send(new byte[] {0x00, (byte) 200, 1, 2, 3});
                }
            }),
            new NamedScenario("command frames after the handshake", (ep, rnd) -> {
                try (RawZmtp c = RawZmtp.connect(ep).readTimeout(2000)) {
                    c.handshakeAndRead("DEALER");
                    ByteArrayOutputStream junk = new ByteArrayOutputStream();
                    junk.write(5);
                    junk.writeBytes("READY".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    c.send(RawZmtp.shortFrame(0x04, junk.toByteArray()))
                            .send(RawZmtp.shortFrame(0x04, new byte[] {4, 'P', 'O', 'N', 'G'}))
                            .send(RawZmtp.shortFrame(0x04, new byte[0]));
                }
            }),
            new NamedScenario("slow trickle", (ep, rnd) -> {
                try (RawZmtp c = RawZmtp.connect(ep)) {
                    byte[] g = RawZmtp.greeting();
                    for (int i = 0; i < 24; i++) {
                        c.send(new byte[] {g[i]});
                        // The point of a trickle is wall-clock spacing between bytes, not synchronisation.
                        LockSupport.parkNanos(2_000_000);
                    }
                }
            }),
            new NamedScenario("many frames then a negative size", (ep, rnd) -> {
                try (RawZmtp c = RawZmtp.connect(ep).readTimeout(2000)) {
                    c.handshakeAndRead("DEALER");
                    for (int i = 0; i < 50; i++) {
                        byte[] b = new byte[rnd.nextInt(200)];
                        rnd.nextBytes(b);
                        c.send(RawZmtp.shortFrame(rnd.nextBoolean() ? 1 : 0, b));
                    }
                    c.send(RawZmtp.longFrameHeader(false, 0x8000000080000000L))
                            .send(ByteBuffer.allocate(16).putLong(-1).putLong(-1).array());
                }
            }));

    public record NamedScenario(String name, Scenario scenario) {
    }
}
