package io.loomnet.transport.zmq.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedList;
import java.util.List;
import java.util.Objects;

import io.loomnet.Handle;
import io.loomnet.Terminated;
import io.loomnet.spi.ErrorKind;
import io.loomnet.spi.RemoteRouter;

/** Types, a codec registering them, and sample payloads shared by the codec tests. */
public final class CodecFixtures {
    private CodecFixtures() {
    }

    /** A registered enum. */
    public enum Color {
        RED, GREEN {
            @Override
            public String toString() {
                return "green (a constant with a body, so its class is a subclass)";
            }
        },
        BLUE
    }

    /** A small record, as in the package documentation's example. */
    public record Point(int x, String label) {
    }

    /** A record nested inside {@link Order}'s list. */
    public record Line(String item, int quantity, Color color) {
    }

    /** A record with a list of records, a handle, an enum and a custom type. */
    public record Order(long id, List<Line> lines, Handle customer, Money total, Color rush) {
    }

    /** A recursive record. */
    public record Tree(String label, List<Tree> children) {
    }

    /** Every kind of component. */
    public record Everything(boolean z, byte b, short s, char c, int i, long l, float f, double d, String str,
            byte[] bytes, Integer boxed, Handle h, List<?> any, Object dyn, Color color, Point point, Money money,
            Terminated terminated, List<List<String>> nested) {
    }

    /** A record whose constructor validates, as user records will. */
    public record Positive(int value) {
        /** @param value must be positive */
        public Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("value must be positive, was " + value);
            }
        }
    }

    /** A generic record: its component is checked against the type variable's bound. */
    public record Box<T extends CharSequence>(T content) {
    }

    /** A class with a custom codec. */
    public static final class Money {
        final long cents;
        final String currency;

        /**
         * @param cents amount
         * @param currency ISO code
         */
        public Money(long cents, String currency) {
            this.cents = cents;
            this.currency = Objects.requireNonNull(currency);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Money m && m.cents == cents && m.currency.equals(currency);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(cents) * 31 + currency.hashCode();
        }

        @Override
        public String toString() {
            return cents + " " + currency;
        }
    }

    static final Encoder<Money> MONEY_ENCODER = (m, out) -> {
        out.writeLong(m.cents);
        out.writeString(m.currency);
    };

    static final Decoder<Money> MONEY_DECODER = in -> new Money(in.readLong(), in.readString());

    /** The codec every node of the tests' imaginary cluster builds. */
    static Codec.Builder builder() {
        return Codec.builder()
                .registerEnum(Color.class, 64)
                .registerRecord(Point.class, 65)
                .registerRecord(Order.class, 66) // before Line: order of registration does not matter
                .registerRecord(Line.class, 67)
                .registerRecord(Tree.class, 68)
                .registerRecord(Everything.class, 69)
                .registerRecord(Positive.class, 70)
                .register(Money.class, 100_000, MONEY_ENCODER, MONEY_DECODER);
    }

    static Codec codec() {
        return builder().build();
    }

    static Order order() {
        return new Order(42, List.of(new Line("tea", 2, Color.GREEN), new Line("scone", -1, null)),
                Handle.of(3, 77), new Money(-1999, "EUR"), Color.BLUE);
    }

    static Everything everything() {
        List<Object> any = new ArrayList<>(Arrays.asList(1, "two", null, 3.0, List.of(), Color.RED));
        return new Everything(true, Byte.MIN_VALUE, Short.MAX_VALUE, '\uD83D', Integer.MIN_VALUE, Long.MIN_VALUE,
                -0.0f, Double.NaN, "h\u00e9llo \uD83D\uDE00", new byte[] {1, 2, 3}, null, Handle.ofValue(-1L),
                any, new Point(1, "p"), Color.GREEN, new Point(-64, ""), new Money(1, "GBP"),
                new Terminated(Handle.of(1, 2), Terminated.Reason.NODE_UNREACHABLE, null),
                List.of(List.of("a"), List.of(), new LinkedList<>(List.of("b", "c"))));
    }

    static Tree tree(int depth) {
        Tree t = new Tree("leaf", List.of());
        for (int i = 1; i < depth; i++) {
            t = new Tree("level" + i, List.of(t));
        }
        return t;
    }

    /** Valid payloads of every shape, for truncation and mutation. */
    static List<Object> samples() {
        return List.of(
                "h\u00e9llo \uD83D\uDE00",
                new byte[] {0, -1, 127},
                Long.MIN_VALUE,
                Double.longBitsToDouble(0x7ff8000000000123L),
                Handle.ofValue(-1L),
                new Terminated(Handle.of(9, 1), Terminated.Reason.FAILED, "boom"),
                new RemoteRouter.ErrorPayload(ErrorKind.MAILBOX_FULL, "full"),
                Arrays.asList(1, null, "x", List.of(true, 'c', (short) 5, (byte) 6, 1.5f)),
                new Point(300, "label"),
                order(),
                everything(),
                tree(5),
                new Money(Long.MAX_VALUE, "\u20ac"),
                new Positive(9));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
