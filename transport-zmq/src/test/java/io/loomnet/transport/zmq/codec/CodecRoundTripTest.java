package io.loomnet.transport.zmq.codec;

import static io.loomnet.transport.zmq.codec.CodecFixtures.hex;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Handle;
import io.loomnet.Terminated;
import io.loomnet.spi.ErrorKind;
import io.loomnet.spi.RemoteRouter;
import io.loomnet.transport.zmq.codec.CodecFixtures.Color;
import io.loomnet.transport.zmq.codec.CodecFixtures.Everything;
import io.loomnet.transport.zmq.codec.CodecFixtures.Line;
import io.loomnet.transport.zmq.codec.CodecFixtures.Money;
import io.loomnet.transport.zmq.codec.CodecFixtures.Order;
import io.loomnet.transport.zmq.codec.CodecFixtures.Point;
import io.loomnet.transport.zmq.codec.CodecFixtures.Tree;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CodecRoundTripTest {
    private final Codec codec = CodecFixtures.codec();

    private Object roundTrip(Object value) {
        byte[] bytes = codec.encode(value);
        Object back = codec.decode(bytes);
        assertThat("re-encoding gives the same bytes", hex(codec.encode(back)), equalTo(hex(bytes)));
        return back;
    }

    private void assertRoundTrips(Object value) {
        assertThat(roundTrip(value), equalTo(value));
    }

    @Test
    void shouldRoundTripNullAndScalars() {
        assertThat(roundTrip(null), nullValue());
        for (Object v : List.of(true, false, Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0, Short.MIN_VALUE,
                Short.MAX_VALUE, Character.MIN_VALUE, Character.MAX_VALUE, '\uD800', '\uDFFF', 0, -1, 1, 63, -64, 64,
                Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE,
                Float.MAX_VALUE, Float.MIN_VALUE, Float.NEGATIVE_INFINITY, Double.MIN_VALUE,
                Double.POSITIVE_INFINITY, -Double.MAX_VALUE)) {
            Object back = roundTrip(v);
            assertThat(back, equalTo(v));
            assertThat(back.getClass(), equalTo(v.getClass()));
        }
    }

    @Test
    void shouldKeepNegativeZeroAndNaNBitsExactly() {
        float f = (Float) roundTrip(-0.0f);
        assertThat(Float.floatToRawIntBits(f), is(Float.floatToRawIntBits(-0.0f)));
        double d = (Double) roundTrip(-0.0d);
        assertThat(Double.doubleToRawLongBits(d), is(Long.MIN_VALUE));
        float nan = Float.intBitsToFloat(0x7fc0_1234);
        assertThat(Float.floatToRawIntBits((Float) roundTrip(nan)), is(0x7fc0_1234));
        double dnan = Double.longBitsToDouble(0x7ff8_0000_0000_0abcL);
        assertThat(Double.doubleToRawLongBits((Double) roundTrip(dnan)), is(0x7ff8_0000_0000_0abcL));
        assertThat((Double) roundTrip(Double.NaN), is(Double.NaN));
    }

    @Test
    void shouldRoundTripStrings() {
        assertRoundTrips("");
        assertRoundTrips("plain ascii");
        assertRoundTrips("h\u00e9llo w\u00f6rld \u4e16\u754c");
        assertRoundTrips("surrogate pairs: \uD83D\uDE00 \uD834\uDD1E and a real U+FFFD: \uFFFD");
        assertRoundTrips("nul \u0000 inside");
        StringBuilder huge = new StringBuilder();
        Random random = new Random(1);
        while (huge.length() < 2_000_000) {
            huge.appendCodePoint(random.nextInt(4) == 0 ? 0x1F600 + random.nextInt(64) : 'a' + random.nextInt(26));
        }
        assertRoundTrips(huge.toString());
        String latin = "x".repeat(3_000_000);
        assertRoundTrips(latin);
    }

    @Test
    void shouldRefuseToEncodeAnUnpairedSurrogateRatherThanAlterIt() {
        CodecException e = assertThrows(CodecException.class, () -> codec.encode("bad \uD800 ?"));
        assertThat(e.getMessage(), containsString("unpaired surrogate"));
        assertThat(e.getMessage(), containsString("index 4"));
        assertThrows(CodecException.class, () -> codec.encode("\uDE00\uD83D"));
        assertRoundTrips("questions? fine ?");
    }

    @Test
    void shouldRoundTripByteArrays() {
        assertThat(((byte[]) roundTrip(new byte[0])).length, is(0));
        byte[] big = new byte[1 << 20];
        new Random(2).nextBytes(big);
        assertThat(Arrays.equals((byte[]) roundTrip(big), big), is(true));
    }

    @Test
    void shouldRoundTripHandlesAndSystemTypes() {
        assertRoundTrips(Handle.ofValue(-1L));
        assertRoundTrips(Handle.of(Handle.MAX_NODE, Handle.MAX_SEQUENCE));
        assertRoundTrips(Handle.ofValue(0));
        assertRoundTrips(Handle.ofValue(Long.MIN_VALUE));
        for (Terminated.Reason reason : Terminated.Reason.values()) {
            assertRoundTrips(new Terminated(Handle.of(2, 5), reason, "why " + reason));
        }
        assertRoundTrips(new Terminated(Handle.of(2, 5), null, null));
        for (ErrorKind kind : ErrorKind.values()) {
            assertRoundTrips(new RemoteRouter.ErrorPayload(kind, "svc :0001:000000000002 failed"));
        }
        assertRoundTrips(Terminated.Reason.KILLED);
        assertRoundTrips(ErrorKind.NO_REPLY);
    }

    @Test
    void shouldRoundTripListsAsUnmodifiableLists() {
        assertRoundTrips(List.of());
        assertRoundTrips(List.of(1, 2L, "three"));
        List<Object> withNulls = new LinkedList<>(Arrays.asList(null, "a", null));
        Object back = roundTrip(withNulls);
        assertThat(back, equalTo(withNulls));
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) back;
        assertThrows(UnsupportedOperationException.class, () -> list.add("x"));
        assertThrows(UnsupportedOperationException.class, () -> list.set(0, "x"));
        assertRoundTrips(List.of(List.of(List.of(Color.RED, Handle.of(1, 1))), new ArrayList<>(List.of(1.5))));
    }

    @Test
    void shouldRoundTripNestedRecordsWithListsEnumsAndCustomTypes() {
        assertRoundTrips(CodecFixtures.order());
        assertRoundTrips(new Order(0, List.of(), null, null, null));
        assertRoundTrips(CodecFixtures.tree(Codec.MAX_DEPTH / 2));
        assertRoundTrips(List.of(new Point(1, "a"), CodecFixtures.order()));
        assertThat(roundTrip(Color.GREEN), sameInstance(Color.GREEN));
    }

    @Test
    void shouldRoundTripEveryKindOfComponent() {
        Everything e = CodecFixtures.everything();
        Everything back = (Everything) roundTrip(e);
        assertThat(Arrays.equals(back.bytes(), e.bytes()), is(true));
        // Record equals compares the byte[] by identity; compare the rest with a copy holding the same array.
        Everything same = new Everything(back.z(), back.b(), back.s(), back.c(), back.i(), back.l(), back.f(),
                back.d(), back.str(), e.bytes(), back.boxed(), back.h(), back.any(), back.dyn(), back.color(),
                back.point(), back.money(), back.terminated(), back.nested());
        assertThat(same, equalTo(e));
        assertThat(Float.floatToRawIntBits(back.f()), is(Float.floatToRawIntBits(-0.0f)));
    }

    @Test
    void shouldRoundTripACustomTypeInsideOtherValues() {
        assertRoundTrips(new Money(0, ""));
        assertRoundTrips(new Money(Long.MIN_VALUE, "x".repeat(300))); // body longer than 127: length moves
        assertRoundTrips(List.of(new Money(1, "EUR"), new Money(2, "USD")));
    }

    @Test
    void shouldWriteTheDocumentedWireFormat() {
        // The package documentation's example, with Point registered as 64.
        Codec example = Codec.builder().registerRecord(Point.class, 64).build();
        assertThat(hex(example.encode(new Point(-2, "a"))), equalTo("4003020161"));
        assertThat(hex(codec.encode(new Point(-2, "a"))), equalTo("4103020161")); // Point is id 65 here
        assertThat(hex(codec.encode(null)), equalTo("00"));
        assertThat(hex(codec.encode(1)), equalTo("0702"));
        assertThat(hex(codec.encode(-1L)), equalTo("0801"));
        assertThat(hex(codec.encode(Long.MIN_VALUE)), equalTo("08ffffffffffffffffff01"));
        assertThat(hex(codec.encode(Handle.of(1, 42))), equalTo("0b000100000000002a"));
        assertThat(hex(codec.encode(List.of(true, "\u00e9"))), equalTo("1002030102" + "02c3a9"));
        assertThat(hex(codec.encode(Color.BLUE)), equalTo("4002"));
        assertThat(hex(codec.encode(new Terminated(Handle.of(1, 2), Terminated.Reason.KILLED, null))),
                equalTo("0c" + "0b0001000000000002" + "0e01" + "00"));
        // Custom type id 100000 is a 3-byte varint; the body is length-prefixed.
        assertThat(hex(codec.encode(new Money(1, "E"))), equalTo("a08d06" + "03" + "02" + "0145"));
    }

    @Test
    void shouldDecodeFromAnOffsetAndFromByteBuffers() {
        byte[] bytes = codec.encode(CodecFixtures.order());
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        assertThat(codec.decode(padded, 3, bytes.length), equalTo(CodecFixtures.order()));

        ByteBuffer heap = ByteBuffer.wrap(padded, 3, bytes.length).slice();
        assertThat(codec.decode(heap), equalTo(CodecFixtures.order()));
        assertThat(heap.remaining(), is(0));

        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 2);
        direct.put((byte) 9).put(bytes).put((byte) 9).flip().position(1).limit(1 + bytes.length);
        assertThat(codec.decode(direct), equalTo(CodecFixtures.order()));
        assertThat(direct.position(), is(1 + bytes.length));

        ByteBuffer bad = ByteBuffer.wrap(new byte[] {7, 2, 0});
        assertThrows(CodecException.class, () -> codec.decode(bad));
        assertThat("position unchanged on failure", bad.position(), is(0));
    }

    @Test
    void shouldEncodeConstantsWithBodiesByTheirEnumClass() {
        assertThat(Color.GREEN.getClass() == Color.class, is(false));
        assertThat(codec.decode(codec.encode(Color.GREEN)), sameInstance(Color.GREEN));
        assertThat(codec.decode(codec.encode(new Line("x", 1, Color.GREEN))), instanceOf(Line.class));
    }

    @Test
    void shouldBeUsableFromManyThreadsAtOnce() throws Exception {
        Order order = CodecFixtures.order();
        byte[] expected = codec.encode(order);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) {
                        if (!Arrays.equals(codec.encode(order), expected) || !codec.decode(expected).equals(order)) {
                            throw new AssertionError("mismatch at " + i);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures, equalTo(List.of()));
    }
}
