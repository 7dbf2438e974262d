package io.loomnet.transport.zmq.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.LoomnetException;
import io.loomnet.transport.zmq.codec.CodecFixtures.Box;
import io.loomnet.transport.zmq.codec.CodecFixtures.Color;
import io.loomnet.transport.zmq.codec.CodecFixtures.Line;
import io.loomnet.transport.zmq.codec.CodecFixtures.Money;
import io.loomnet.transport.zmq.codec.CodecFixtures.Order;
import io.loomnet.transport.zmq.codec.CodecFixtures.Point;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CodecRegistrationTest {
    /** Not registered anywhere. */
    public record Unregistered(int x) {
    }

    /** Components the codec cannot encode. */
    public record WithMap(String name, Map<String, Integer> tags) {
    }

    /** An int array component. */
    public record WithIntArray(int[] values) {
    }

    /** An Optional component. */
    public record WithOptional(Optional<String> maybe) {
    }

    /** A list whose elements are unsupported. */
    public record WithListOfMaps(List<Map<String, String>> maps) {
    }

    /** Refers to a record that is not registered. */
    public record WithUnregisteredRecord(Unregistered inner) {
    }

    /** Refers to an enum that is not registered. */
    public record WithUnregisteredEnum(Shade shade) {
    }

    /** Not registered. */
    public enum Shade {
        DARK, LIGHT
    }

    /** Same constants as Color, in another order. */
    public enum Colour {
        BLUE, GREEN, RED
    }

    /** Dynamic components: Object, a raw list, a wildcard list, a bounded wildcard. */
    public record Dynamic(Object any, @SuppressWarnings("rawtypes") List raw, List<?> wild,
            List<? extends Point> points, List<? super Point> sup) {
    }

    private record Secret(int code, String note) {
    }

    @Test
    void shouldNameTheTypeAndTheFixWhenEncodingAnUnregisteredType() {
        Codec codec = CodecFixtures.codec();
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(new Unregistered(1)));
        assertThat(e, instanceOf(LoomnetException.class));
        assertThat(e.getMessage(), allOf(
                containsString("payload type " + Unregistered.class.getName() + " is not registered"),
                containsString("Codec.builder().registerRecord(" + Unregistered.class.getCanonicalName()
                        + ".class, <id >= 64>)")));

        e = assertThrows(CodecException.class, () -> codec.encode(Shade.DARK));
        assertThat(e.getMessage(), containsString("registerEnum(" + Shade.class.getCanonicalName()));

        e = assertThrows(CodecException.class, () -> codec.encode(new HashMap<String, String>()));
        assertThat(e.getMessage(), allOf(containsString("java.util.HashMap is not registered"),
                containsString("register(java.util.HashMap.class, <id >= 64>, encoder, decoder)")));

        e = assertThrows(CodecException.class, () -> codec.encode(List.of(1, List.of(new Unregistered(2)))));
        assertThat(e.getMessage(), containsString(Unregistered.class.getName()));

        assertThrows(CodecException.class, () -> codec.encode(new int[] {1}));
        assertThrows(CodecException.class, () -> codec.encode(new Object()));
    }

    @Test
    void shouldValidateEveryComponentTypeWhenTheCodecIsBuilt() {
        assertBuildFails(WithMap.class, "component 'tags' has type java.util.Map<java.lang.String,"
                + " java.lang.Integer>, which the cluster codec cannot encode");
        assertBuildFails(WithIntArray.class, "arrays other than byte[] are not supported");
        assertBuildFails(WithOptional.class, "component 'maybe' has type java.util.Optional");
        assertBuildFails(WithListOfMaps.class, "component 'maps' has type java.util.List<java.util.Map");
        assertBuildFails(WithUnregisteredRecord.class, "is a record that is not registered; add registerRecord("
                + Unregistered.class.getCanonicalName() + ".class, <id >= 64>)");
        assertBuildFails(WithUnregisteredEnum.class, "is an enum that is not registered; add registerEnum(");
        assertBuildFails(Box.class, "component 'content' has type T");
    }

    private static void assertBuildFails(Class<? extends Record> type, String expected) {
        Codec.Builder builder = CodecFixtures.builder().registerRecord(type, 500);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertThat(e.getMessage(), allOf(containsString("record " + type.getName()), containsString(expected)));
    }

    @Test
    void shouldAcceptRecordsInAnyRegistrationOrderAndDynamicComponents() {
        Codec codec = Codec.builder()
                .registerRecord(Dynamic.class, 80)
                .registerRecord(Point.class, 81)
                .registerRecord(WithUnregisteredRecord.class, 82)
                .registerRecord(Unregistered.class, 83)
                .build();
        Dynamic d = new Dynamic(List.of(1, "x"), List.of(2), List.of("y"), List.of(new Point(1, "p")),
                new ArrayList<>(List.of("anything")));
        assertThat(codec.decode(codec.encode(d)), equalTo(d));
        assertThat(codec.decode(codec.encode(new WithUnregisteredRecord(new Unregistered(3)))),
                equalTo(new WithUnregisteredRecord(new Unregistered(3))));
    }

    @Test
    void shouldRefuseDuplicateAndReservedIdsAndClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().registerRecord(Point.class, 70).registerRecord(Line.class, 70));
        assertThat(e.getMessage(), containsString("type id 70 is already registered for " + Point.class.getName()
                + "; give " + Line.class.getName() + " its own id"));

        e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().registerRecord(Point.class, 70).registerRecord(Point.class, 71));
        assertThat(e.getMessage(), containsString(Point.class.getName() + " is already registered with type id 70"));

        e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().registerEnum(Color.class, 70)
                        .register(Color.class, 72, (v, o) -> { }, i -> null));
        assertThat(e.getMessage(), containsString("already registered with type id 70"));

        e = assertThrows(IllegalArgumentException.class, () -> Codec.builder().registerRecord(Point.class, 63));
        assertThat(e.getMessage(), containsString("type id 63 for " + Point.class.getName() + " is reserved"));
        assertThrows(IllegalArgumentException.class, () -> Codec.builder().registerRecord(Point.class, -1));

        e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().register(String.class, 90, (v, o) -> { }, i -> ""));
        assertThat(e.getMessage(), containsString("java.lang.String is built in (type id 2)"));
        e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().registerRecord(io.loomnet.Terminated.class, 90));
        assertThat(e.getMessage(), containsString("is built in (type id 12)"));

        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<ArrayList<Object>> arrayList = (Class) ArrayList.class;
        e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().register(arrayList, 90, (v, o) -> { }, i -> new ArrayList<>()));
        assertThat(e.getMessage(), containsString("lists are built in (type id 16)"));

        e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().register(CharSequence.class, 90, (v, o) -> { }, i -> ""));
        assertThat(e.getMessage(), containsString("matched by exact class"));
    }

    @Test
    void shouldRefuseANonRecordOrNonEnumPassedThroughRawTypes() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Record> notARecord = (Class) Money.class;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().registerRecord(notARecord, 90));
        assertThat(e.getMessage(), containsString("is not a record"));
    }

    @Test
    void shouldReachAPrivateRecordOnlyThroughTheCallersLookup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Codec.builder().registerRecord(Secret.class, 90));
        assertThat(e.getMessage(), containsString("MethodHandles.lookup()"));
        Codec codec = Codec.builder().registerRecord(Secret.class, 90, MethodHandles.lookup()).build();
        Secret s = new Secret(7, "shh");
        assertThat(codec.decode(codec.encode(s)), equalTo(s));
    }

    @Test
    void shouldHaveEqualFingerprintsForEqualRegistrationsAndDifferentOnesOtherwise() {
        Codec a = CodecFixtures.codec();
        Codec b = CodecFixtures.codec();
        assertThat(a.fingerprint(), equalTo(b.fingerprint()));
        assertThat(a.registrations(), equalTo(b.registrations()));

        Codec sameButReordered = Codec.builder()
                .register(Money.class, 100_000, CodecFixtures.MONEY_ENCODER, CodecFixtures.MONEY_DECODER)
                .registerRecord(CodecFixtures.Positive.class, 70)
                .registerRecord(CodecFixtures.Everything.class, 69)
                .registerRecord(CodecFixtures.Tree.class, 68)
                .registerRecord(Line.class, 67)
                .registerRecord(Order.class, 66)
                .registerRecord(Point.class, 65)
                .registerEnum(Color.class, 64)
                .maxEncodedSize(1024) // limits are not part of the fingerprint
                .build();
        assertThat(sameButReordered.fingerprint(), equalTo(a.fingerprint()));

        long base = Codec.builder().registerRecord(Point.class, 65).build().fingerprint();
        assertThat(Codec.builder().registerRecord(Point.class, 66).build().fingerprint(), not(base));
        assertThat(Codec.builder().registerRecord(Point.class, 65).registerEnum(Color.class, 64).build()
                .fingerprint(), not(base));
        assertThat(Codec.builder().registerEnum(Color.class, 64).build().fingerprint(),
                not(Codec.builder().registerEnum(Colour.class, 64).build().fingerprint()));
        assertThat(Codec.builder().build().fingerprint(), not(base));
        assertThat(a.registrations(),
                hasItem("65 record " + Point.class.getName() + "(int x, java.lang.String label)"));
        assertThat(a.registrations(), hasItem("64 enum " + Color.class.getName() + "{RED,GREEN,BLUE}"));
        assertThat(a.registrations(), hasItem("100000 custom " + Money.class.getName()));
        assertThat(a.toString(), containsString(Long.toHexString(a.fingerprint())));
    }

    @Test
    void shouldEnforceTheSizeLimitOnEncodeAndDecode() {
        Codec small = Codec.builder().maxEncodedSize(1024).build();
        assertThat(small.maxEncodedSize(), is(1024));
        assertThat(Codec.builder().build().maxEncodedSize(), is(Codec.DEFAULT_MAX_ENCODED_SIZE));

        byte[] fits = new byte[1024 - 3]; // id 1, 2-byte length, body
        assertThat(small.encode(fits).length, is(1024));
        CodecException e = assertThrows(CodecException.class, () -> small.encode(new byte[1024 - 2]));
        assertThat(e.getMessage(), containsString("exceeds the cluster codec's limit of 1024 bytes"));
        assertThrows(CodecException.class, () -> small.encode(List.of("x".repeat(600), "y".repeat(600))));

        byte[] tooLong = Codec.builder().build().encode(new byte[1024 - 2]);
        e = assertThrows(CodecException.class, () -> small.decode(tooLong));
        assertThat(e.getMessage(), containsString("payload of 1025 bytes exceeds the cluster codec's limit of 1024"));
        assertThrows(CodecException.class, () -> small.decode(java.nio.ByteBuffer.allocateDirect(2000)));

        assertThrows(IllegalArgumentException.class, () -> Codec.builder().maxEncodedSize(15));
    }

    @Test
    void shouldWrapFailuresOfUserEncodersAndDecodersInCodecExceptions() {
        Codec codec = Codec.builder()
                .register(Money.class, 64, (m, out) -> {
                    throw new IllegalStateException("no currency");
                }, in -> new Money(in.readLong(), in.readString()))
                .build();
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(new Money(1, "x")));
        assertThat(e.getMessage(), containsString("the Encoder registered for " + Money.class.getName()
                + " (type id 64) failed"));
        assertThat(e.getCause(), instanceOf(IllegalStateException.class));
    }

    @Test
    void shouldCheckWhatUserDecodersRead() {
        Encoder<Money> enc = CodecFixtures.MONEY_ENCODER;
        byte[] bytes = CodecFixtures.codec().encode(new Money(5, "EUR"));

        Codec readsTooLittle = Codec.builder().register(Money.class, 100_000, enc, in -> new Money(in.readLong(), "?"))
                .build();
        CodecException e = assertThrows(CodecException.class, () -> readsTooLittle.decode(bytes));
        assertThat(e.getMessage(), containsString("read 1 of the 5 body bytes"));

        Codec readsTooMuch = Codec.builder().register(Money.class, 100_000, enc, in -> {
            Money m = new Money(in.readLong(), in.readString());
            in.readByte();
            return m;
        }).build();
        e = assertThrows(CodecException.class, () -> readsTooMuch.decode(bytes));
        assertThat(e.getMessage(), containsString("truncated"));

        Codec throwsItself = Codec.builder().register(Money.class, 100_000, enc, in -> {
            throw new IllegalArgumentException("bad money");
        }).build();
        e = assertThrows(CodecException.class, () -> throwsItself.decode(bytes));
        assertThat(e.getMessage(), containsString("rejected its input"));
        assertThat(e.getCause().getMessage(), is("bad money"));

        Codec returnsNull = Codec.builder().register(Money.class, 100_000, enc, in -> {
            in.readLong();
            in.readString();
            return null;
        }).build();
        e = assertThrows(CodecException.class, () -> returnsNull.decode(bytes));
        assertThat(e.getMessage(), containsString("returned null"));
    }

    @Test
    void shouldReportAConstructorRejectingDecodedComponents() {
        Codec codec = CodecFixtures.codec();
        byte[] bytes = codec.encode(new CodecFixtures.Positive(1));
        bytes[1] = 1; // zigzag -1
        CodecException e = assertThrows(CodecException.class, () -> codec.decode(bytes));
        assertThat(e.getMessage(), allOf(containsString(CodecFixtures.Positive.class.getName()),
                containsString("rejected the decoded components"), containsString("value must be positive")));
    }
}
