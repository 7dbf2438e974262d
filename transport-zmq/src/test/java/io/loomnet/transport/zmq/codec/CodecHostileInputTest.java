package io.loomnet.transport.zmq.codec;

import static io.loomnet.transport.zmq.codec.CodecFixtures.hex;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.transport.zmq.codec.CodecFixtures.Line;
import io.loomnet.transport.zmq.codec.CodecFixtures.Order;
import io.loomnet.transport.zmq.codec.CodecFixtures.Point;
import io.loomnet.transport.zmq.codec.CodecFixtures.Tree;

/**
 * Decoding bytes from a hostile or broken peer: only a value or a {@link CodecException}, bounded allocation,
 * bounded nesting, no hangs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecHostileInputTest {
    /** A custom type that nests any value, so fuzzing reaches user decoders that recurse. */
    public static final class Envelope {
        final int tag;
        final Object body;

        Envelope(int tag, Object body) {
            this.tag = tag;
            this.body = body;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Envelope e && e.tag == tag && Objects.equals(e.body, body);
        }

        @Override
        public int hashCode() {
            return tag;
        }
    }

    private final Codec codec = CodecFixtures.builder()
            .register(Envelope.class, 71, (e, out) -> {
                out.writeInt(e.tag);
                out.writeValue(e.body);
            }, in -> new Envelope(in.readInt(), in.readValue()))
            .build();

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private CodecException assertMalformed(String hex, String expected) {
        CodecException e = assertThrows(CodecException.class, () -> codec.decode(bytes(hex)), hex);
        assertThat(e.getMessage(), containsString(expected));
        return e;
    }

    private List<byte[]> corpus() {
        List<byte[]> corpus = new ArrayList<>();
        for (Object sample : CodecFixtures.samples()) {
            corpus.add(codec.encode(sample));
        }
        corpus.add(codec.encode(new Envelope(-5, List.of(CodecFixtures.order(), new Envelope(1, "x")))));
        corpus.add(codec.encode(List.of(CodecFixtures.everything(), CodecFixtures.tree(3))));
        return corpus;
    }

    @Test
    void shouldFailEveryTruncationOfValidEncodings() {
        int checked = 0;
        for (byte[] full : corpus()) {
            assertThat(codec.decode(full) == null, equalTo(false));
            for (int length = 0; length < full.length; length++) {
                int n = length;
                assertThrows(CodecException.class, () -> codec.decode(full, 0, n), () -> "prefix " + n + " of "
                        + hex(full));
                assertThrows(CodecException.class, () -> codec.decode(Arrays.copyOf(full, n)));
                checked++;
            }
        }
        assertThat(checked, greaterThan(500));
    }

    @Test
    void shouldFailTrailingBytes() {
        for (byte[] full : corpus()) {
            byte[] longer = Arrays.copyOf(full, full.length + 1);
            CodecException e = assertThrows(CodecException.class, () -> codec.decode(longer));
            assertThat(e.getMessage(), containsString("1 trailing byte(s) after a complete value"));
        }
        assertMalformed("0000", "trailing");
    }

    @Test
    void shouldNameUnknownTypeIds() {
        assertMalformed("11", "unknown type id 17 (reserved for built-ins");
        assertMalformed("7f", "unknown type id 127; no type is registered with it on this node. Every node must"
                + " register the same types with the same ids");
        assertMalformed("ffffffff07", "unknown type id 2147483647");
        assertMalformed("ffffffff0f", "unknown type id 4294967295");
        assertMalformed("ffffffff1f", "varint is larger than 32 bits");
        assertMalformed("ffffffffff01", "varint is larger than 32 bits");
        assertMalformed("", "truncated");
    }

    @Test
    void shouldRefuseNonCanonicalAndInvalidFields() {
        assertMalformed("8700", "overlong");
        assertMalformed("078000", "overlong");
        assertMalformed("08ffffffffffffffffff02", "larger than 64 bits");
        assertMalformed("0302", "boolean byte 2 is neither 0 nor 1");
        assertMalformed("0202c328", "string of 2 bytes is not valid UTF-8");
        assertMalformed("0203eda080", "not valid UTF-8"); // a UTF-16 surrogate encoded as UTF-8 (CESU-8)
        assertMalformed("0202c080", "not valid UTF-8"); // overlong NUL
        assertMalformed("0204f4908080", "not valid UTF-8"); // above U+10FFFF
        assertMalformed("4003", "ordinal 3 is out of range for enum " + CodecFixtures.Color.class.getName());
        assertMalformed("0e06", "ordinal 6 is out of range for enum io.loomnet.Terminated$Reason");
        assertThat(codec.decode(bytes("0203efbfbd")), equalTo("\uFFFD")); // a genuine U+FFFD is fine
    }

    @Test
    void shouldCheckDecodedComponentsAgainstDeclaredTypes() {
        // Point(int x, String label) with an Integer where the String goes.
        CodecException e = assertMalformed("41020702", "component 'label' of record " + Point.class.getName()
                + " has type java.lang.String but the input holds a java.lang.Integer");
        assertThat(e.getMessage(), containsString("offset 2"));
        // Order(long id, List<Line> lines, ...) whose list holds a String.
        byte[] order = codec.encode(new Order(1, List.of(new Line("a", 1, null)), null, null, null));
        assertThat(hex(order), equalTo("4202" + "1001" + "43" + "020161" + "02" + "00" + "000000"));
        assertMalformed("4202" + "1001" + "020161" + "000000", "component 'lines' of record "
                + Order.class.getName() + " has type java.util.List<" + Line.class.getName() + ">");
        // Terminated(Handle service, ...) with a String for the handle.
        assertMalformed("0c" + "020161" + "0000", "component 'service' of record io.loomnet.Terminated");
    }

    @Test
    void shouldFailFastWithoutAllocatingWhenALengthClaimsTwoGigabytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String[] inputs = {
            "01" + "ffffffff07" + "00000000", // byte[] of 2^31-1 bytes
            "02" + "ffffffff07" + "00000000", // String
            "10" + "ffffffff07" + "00000000", // List of 2^31-1 elements
            "a08d06" + "ffffffff07" + "0000", // custom body
            "01" + "8080808008" + "00000000", // 2^31: negative as an int
            "47" + "08" + "00" + "10" + "ffffffff07" + "00", // a list inside a custom body
        };
        for (String hex : inputs) {
            byte[] input = bytes(hex);
            assertThat(input.length, equalTo(10));
            codec.decode(codec.encode(1)); // warm
            long before = threads.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            CodecException e = assertThrows(CodecException.class, () -> codec.decode(input));
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            long micros = (System.nanoTime() - start) / 1000;
            assertThat(hex + ": " + e.getMessage(), e.getMessage(), containsString("exceeds the"));
            assertThat(hex + " allocated " + allocated + " bytes", allocated, lessThan(256L * 1024));
            assertThat(hex + " took " + micros + " us", micros, lessThan(1_000_000L));
        }
    }

    @Test
    void shouldStopADepthBombOnDecode() {
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) {
            bomb.write(0x10); // list
            bomb.write(0x01); // of one element
        }
        bomb.write(0x00);
        CodecException e = assertThrows(CodecException.class, () -> codec.decode(bomb.toByteArray()));
        assertThat(e.getMessage(), containsString("input nests more than 32 levels"));

        assertThat(codec.decode(bytes("1001".repeat(Codec.MAX_DEPTH) + "00")), equalTo(nested(Codec.MAX_DEPTH)));
        assertMalformed("1001".repeat(Codec.MAX_DEPTH + 1) + "00", "nests more than 32");
        // Through a user decoder that recurses with readValue.
        assertMalformed(hex(envelopes(1000)), "nests more than 32");
        Object expected = null;
        for (int i = 0; i < Codec.MAX_DEPTH; i++) {
            expected = new Envelope(0, expected);
        }
        assertThat(codec.decode(envelopes(Codec.MAX_DEPTH)), equalTo(expected));
        assertMalformed(hex(envelopes(Codec.MAX_DEPTH + 1)), "nests more than 32");
        // Records: Tree(label, List<Tree>) costs two levels per tree: label null, a list of one tree.
        assertMalformed("44001001".repeat(40) + "440000", "nests more than 32");
        assertThat(codec.decode(bytes("44001001".repeat(15) + "440000")), instanceOf(Tree.class)); // 31 levels
    }

    @Test
    void shouldStopCyclesAndDeepNestingOnEncode() {
        assertThat(codec.decode(codec.encode(CodecFixtures.tree(16))), equalTo(CodecFixtures.tree(16)));
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(CodecFixtures.tree(17)));
        assertThat(e.getMessage(), containsString("payload nests more than 32 levels"));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        e = assertThrows(CodecException.class, () -> codec.encode(cycle));
        assertThat(e.getMessage(), containsString("a list that contains itself?"));
        assertThat(codec.decode(codec.encode(nested(Codec.MAX_DEPTH))), equalTo(nested(Codec.MAX_DEPTH)));
        assertThrows(CodecException.class, () -> codec.encode(nested(Codec.MAX_DEPTH + 1)));
    }

    /** {@code levels} Envelopes nested through a user decoder, each length-prefixed, around a null. */
    private static byte[] envelopes(int levels) {
        byte[] inner = {0x00};
        for (int i = 0; i < levels; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x47);
            int length = inner.length + 1;
            while ((length & ~0x7F) != 0) {
                out.write((length & 0x7F) | 0x80);
                length >>>= 7;
            }
            out.write(length);
            out.write(0x00); // tag 0
            out.writeBytes(inner);
            inner = out.toByteArray();
        }
        return inner;
    }

    /** {@code levels} lists, the innermost holding one null: {@code 1001} times {@code levels}, then {@code 00}. */
    private static Object nested(int levels) {
        Object v = Arrays.asList((Object) null);
        for (int i = 1; i < levels; i++) {
            v = List.of(v);
        }
        return v;
    }

    private long successes;
    private long failures;

    private void check(byte[] input, long seed, int round) {
        Object value;
        try {
            value = codec.decode(input);
        } catch (CodecException e) {
            failures++;
            return;
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + " round " + round + ": input " + hex(input) + " threw " + t, t);
        }
        // Decoding accepts only canonical encodings, so whatever decodes re-encodes to the same bytes.
        byte[] again = codec.encode(value);
        if (!Arrays.equals(again, input)) {
            throw new AssertionError("seed " + seed + " round " + round + ": " + hex(input) + " decoded to "
                    + value + " which encodes as " + hex(again));
        }
        successes++;
    }

    private static final byte[] INTERESTING = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x40,
        0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xa0, (byte) 0x8d, 0x06};

    @Test
    void shouldOnlyReturnOrThrowCodecExceptionForRandomBytes() {
        long seed = 0x5eed_c0dec_0001L;
        Random random = new Random(seed);
        for (int round = 0; round < 200_000; round++) {
            byte[] input = new byte[random.nextInt(48)];
            if (random.nextBoolean()) {
                random.nextBytes(input);
            } else {
                for (int i = 0; i < input.length; i++) {
                    input[i] = random.nextInt(4) == 0 ? (byte) random.nextInt() : INTERESTING[random.nextInt(
                            INTERESTING.length)];
                }
            }
            check(input, seed, round);
        }
        System.out.printf("random fuzz: %d decoded (and re-encoded identically), %d CodecException%n", successes,
                failures);
        assertThat(successes + failures, equalTo(200_000L));
        assertThat("the structured half reaches valid values", successes, greaterThan(500L));
    }

    @Test
    void shouldOnlyReturnOrThrowCodecExceptionForMutatedEncodings() {
        long seed = 0x5eed_c0dec_0002L;
        Random random = new Random(seed);
        List<byte[]> corpus = corpus();
        for (int round = 0; round < 200_000; round++) {
            byte[] input = corpus.get(random.nextInt(corpus.size()));
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                input = mutate(input, random);
            }
            check(input, seed, round);
        }
        System.out.printf("mutation fuzz: %d decoded (and re-encoded identically), %d CodecException%n", successes,
                failures);
        assertThat(successes + failures, equalTo(200_000L));
        assertThat(successes, greaterThan(1_000L));
    }

    private static byte[] mutate(byte[] in, Random random) {
        if (in.length == 0) {
            return new byte[] {(byte) random.nextInt()};
        }
        int at = random.nextInt(in.length);
        byte[] out;
        switch (random.nextInt(7)) {
            case 0 -> {
                out = in.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> {
                out = in.clone();
                out[at] = INTERESTING[random.nextInt(INTERESTING.length)];
            }
            case 2 -> {
                out = new byte[in.length + 1];
                System.arraycopy(in, 0, out, 0, at);
                out[at] = (byte) random.nextInt();
                System.arraycopy(in, at, out, at + 1, in.length - at);
            }
            case 3 -> {
                out = new byte[in.length - 1];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + 1, out, at, in.length - at - 1);
            }
            case 4 -> out = Arrays.copyOf(in, at);
            case 5 -> {
                int len = 1 + random.nextInt(Math.min(16, in.length - at));
                out = new byte[in.length + len];
                System.arraycopy(in, 0, out, 0, at + len);
                System.arraycopy(in, at, out, at + len, in.length - at);
            }
            default -> {
                out = in.clone();
                out[at] = (byte) 0xff;
            }
        }
        return out;
    }
}
