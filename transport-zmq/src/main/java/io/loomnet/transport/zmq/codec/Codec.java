package io.loomnet.transport.zmq.codec;

import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.loomnet.Terminated;
import io.loomnet.spi.ErrorKind;
import io.loomnet.spi.RemoteRouter;

/**
 * Turns message payloads into bytes and back for the cluster, without Java serialization: built-in types
 * have fixed type ids, and every other type must be registered explicitly, with an id, on every node. The
 * wire format, the type-id table and the rules are in the {@linkplain io.loomnet.transport.zmq.codec package
 * documentation}.
 *
 * <pre>{@code
 * Codec codec = Codec.builder()
 *         .registerRecord(Order.class, 100)
 *         .registerRecord(Line.class, 101)
 *         .registerEnum(Currency.class, 102)
 *         .build();
 * byte[] bytes = codec.encode(new Order(7, List.of(new Line("tea", 2)), Currency.EUR));
 * Order order = (Order) codec.decode(bytes);
 * }</pre>
 *
 * <p><b>Hostile input.</b> {@link #decode} is written for bytes from an untrusted peer: for any input it
 * returns a value or throws {@link CodecException}, allocates no more than a small multiple of the input's
 * size, nests at most {@link #MAX_DEPTH} levels, and loops only over bytes it has.
 *
 * <p><b>Threading.</b> Immutable once built: one instance may be shared by any number of threads, encoding
 * and decoding at once, with no locking. Each call allocates its own buffers.
 */
public final class Codec {
    /** Smallest id a user type may be registered with; ids 0 to 63 are reserved for built-ins. */
    public static final int FIRST_USER_TYPE_ID = 64;
    /** Deepest nesting of lists, records and custom types, on encode and on decode. */
    public static final int MAX_DEPTH = 32;
    /** Default {@link #maxEncodedSize()}: 16 MiB. */
    public static final int DEFAULT_MAX_ENCODED_SIZE = 16 << 20;

    /** Version of the built-in table and layouts; part of the {@link #fingerprint()}. */
    private static final String FORMAT_VERSION = "loomnet-codec/1";
    private static final int DENSE_IDS = 4096;

    private final Map<Class<?>, Format> byClass;
    private final Format[] byDenseId;
    private final Map<Integer, Format> bySparseId;
    private final Format listFormat;
    private final int maxEncodedSize;
    private final List<String> registrations;
    private final long fingerprint;

    private Codec(Map<Class<?>, Format> byClass, List<Format> formats, int maxEncodedSize) {
        this.byClass = Map.copyOf(byClass);
        this.maxEncodedSize = maxEncodedSize;
        Format[] dense = new Format[DENSE_IDS];
        Map<Integer, Format> sparse = new HashMap<>();
        Format list = null;
        List<String> lines = new ArrayList<>();
        lines.add(FORMAT_VERSION);
        lines.add(Format.NULL + " null");
        for (Format f : formats) {
            if (f.id < DENSE_IDS) {
                dense[f.id] = f;
            } else {
                sparse.put(f.id, f);
            }
            if (f.id == Format.LIST) {
                list = f;
            }
            lines.add(f.describe());
        }
        this.byDenseId = dense;
        this.bySparseId = Map.copyOf(sparse);
        this.listFormat = list;
        this.registrations = List.copyOf(lines);
        this.fingerprint = sha256Prefix(String.join("\n", lines));
    }

    /** @return a builder that already knows the built-in types */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Encodes a payload: its type id, then its body.
     *
     * @param payload a built-in value, a {@link List} of supported values, a value of a registered type, or
     * {@code null}
     * @return a new array holding exactly the encoding
     * @throws CodecException if the payload or a value inside it is of an unregistered type, the encoding
     * would exceed {@link #maxEncodedSize()}, values nest more than {@link #MAX_DEPTH} levels, or a
     * registered {@link Encoder} fails
     */
    public byte[] encode(Object payload) {
        Writer out = new Writer(this, maxEncodedSize);
        out.writeValue(payload);
        return out.toByteArray();
    }

    /**
     * Encodes a payload behind {@code headroom} free bytes, without trimming or copying the result: for a transport
     * that writes its own header in front of the encoding and copies the whole into its wire buffer once.
     *
     * @param payload as for {@link #encode(Object)}
     * @param headroom bytes to leave free (zero) at the start of the array, for the caller's header
     * @return the array and the length used (headroom included); the array may be longer and belongs to the caller
     * @throws CodecException as for {@link #encode(Object)}
     */
    public Framed encodeFramed(Object payload, int headroom) {
        if (headroom < 0) {
            throw new IllegalArgumentException("headroom must not be negative, was " + headroom);
        }
        Writer out = new Writer(this, maxEncodedSize, headroom);
        out.writeValue(payload);
        return new Framed(out.array(), out.position());
    }

    /**
     * An encoding behind a caller's headroom, from {@link #encodeFramed(Object, int)}.
     *
     * @param bytes the array: headroom, then the encoding, then possibly unused bytes
     * @param length the bytes used, headroom included
     */
    public record Framed(byte[] bytes, int length) {
    }

    /**
     * Decodes one complete encoding.
     *
     * @param bytes exactly one encoded value, possibly from an untrusted peer
     * @return the value, possibly {@code null}
     * @throws CodecException for any input that is not exactly one valid encoding (see {@link #decode(byte[],
     * int, int)})
     */
    public Object decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Decodes one complete encoding from part of an array.
     *
     * @param bytes the array, possibly holding bytes from an untrusted peer
     * @param offset where the encoding starts
     * @param length its length in bytes; all of them must belong to the value
     * @return the value, possibly {@code null}
     * @throws CodecException if the input is longer than {@link #maxEncodedSize()}, truncated, followed by
     * trailing bytes, names an unknown type id, is malformed in any other way, nests more than
     * {@link #MAX_DEPTH} levels, or a record constructor or registered {@link Decoder} rejects it
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit in {@code bytes}
     */
    public Object decode(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        checkSize(length);
        Reader in = new Reader(this, bytes, offset, length);
        Object value = in.readValue();
        if (in.remaining() != 0) {
            throw in.malformed(in.remaining() + " trailing byte(s) after a complete value");
        }
        return value;
    }

    /**
     * Decodes one complete encoding: all the buffer's remaining bytes. On success the buffer's position is
     * moved to its limit; on failure it is unchanged.
     *
     * @param buffer the encoding, between position and limit
     * @return the value, possibly {@code null}
     * @throws CodecException as {@link #decode(byte[], int, int)}
     */
    public Object decode(ByteBuffer buffer) {
        int length = buffer.remaining();
        Object value;
        if (buffer.hasArray()) {
            value = decode(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
        } else {
            checkSize(length);
            byte[] copy = new byte[length];
            buffer.duplicate().get(copy);
            value = decode(copy, 0, length);
        }
        buffer.position(buffer.limit());
        return value;
    }

    /** @return the largest encoding this codec writes or accepts, in bytes */
    public int maxEncodedSize() {
        return maxEncodedSize;
    }

    /**
     * A 64-bit digest of every type this codec knows, by id: the format version, the built-ins, and each
     * registration's kind, class name and layout (record component types and names, enum constant names in
     * order). Two nodes can exchange data safely only if their fingerprints are equal; a cluster handshake
     * should refuse a peer whose fingerprint differs, and log both sides' {@link #registrations()}. The size
     * limit is not part of it.
     *
     * @return the first 8 bytes of the SHA-256 of {@link #registrations()} joined by newlines, big-endian
     */
    public long fingerprint() {
        return fingerprint;
    }

    /**
     * @return one line per known type id, in id order, preceded by the format version: what
     * {@link #fingerprint()} digests, for diagnosing a mismatch between nodes
     */
    public List<String> registrations() {
        return registrations;
    }

    @Override
    public String toString() {
        return "Codec[fingerprint=" + Long.toHexString(fingerprint) + ", types=" + (registrations.size() - 1)
                + ", maxEncodedSize=" + maxEncodedSize + "]";
    }

    private void checkSize(int length) {
        if (length > maxEncodedSize) {
            throw new CodecException("payload of " + length + " bytes exceeds the cluster codec's limit of "
                    + maxEncodedSize + " bytes; the sender must send smaller pieces, or every node must raise"
                    + " Codec.builder().maxEncodedSize(..)");
        }
    }

    void writeTagged(Writer out, Object value) {
        if (value == null) {
            out.writeVarint(Format.NULL);
            return;
        }
        Format f = byClass.get(value.getClass());
        if (f == null) {
            f = fallback(value);
        }
        out.writeVarint(f.id);
        f.write(out, value);
    }

    Object readTagged(Reader in) {
        int at = in.position();
        int id = in.readVarint32();
        if (id == Format.NULL) {
            return null;
        }
        Format f = id >= 0 && id < DENSE_IDS ? byDenseId[id] : bySparseId.get(id);
        if (f == null) {
            throw in.malformedAt(at, "unknown type id " + Integer.toUnsignedString(id) + (id >= 0
                    && id < FIRST_USER_TYPE_ID ? " (reserved for built-ins, unused in " + FORMAT_VERSION + ")"
                    : "; no type is registered with it on this node. Every node must register the same types"
                    + " with the same ids: compare Codec.fingerprint() and registrations() across nodes"));
        }
        return f.read(in);
    }

    private Format fallback(Object value) {
        if (value instanceof List) {
            return listFormat;
        }
        if (value instanceof Enum<?> e) {
            Format f = byClass.get(e.getDeclaringClass());
            if (f != null) {
                return f;
            }
        }
        Class<?> type = value instanceof Enum<?> e ? e.getDeclaringClass() : value.getClass();
        String how;
        if (type.isRecord()) {
            how = "registerRecord(" + RecordFormat.simpleName(type) + ".class, <id >= 64>)";
        } else if (type.isEnum()) {
            how = "registerEnum(" + RecordFormat.simpleName(type) + ".class, <id >= 64>)";
        } else {
            how = "register(" + RecordFormat.simpleName(type) + ".class, <id >= 64>, encoder, decoder)";
        }
        throw new CodecException("payload type " + type.getName() + " is not registered with the cluster codec;"
                + " register it on every node with Codec.builder()." + how + " (Java serialization is never"
                + " used)");
    }

    private static long sha256Prefix(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Collects the registrations of user types and builds a {@link Codec}. Each registration is checked as it
     * is made (id range, duplicate ids and classes, reflective access); record component types are checked by
     * {@link #build()}, when every registration is known, so records may be registered in any order.
     *
     * <p><b>Note:</b> not threadsafe. Register on one thread, then share the built codec.
     */
    public static final class Builder {
        private final Map<Class<?>, Format> byClass = new LinkedHashMap<>();
        private final Map<Integer, Format> byId = new HashMap<>();
        private int maxEncodedSize = DEFAULT_MAX_ENCODED_SIZE;

        private Builder() {
            for (Format f : Format.scalars()) {
                add(f);
            }
            add(RecordFormat.create(Format.TERMINATED, Terminated.class, MethodHandles.publicLookup()));
            add(RecordFormat.create(Format.ERROR_PAYLOAD, RemoteRouter.ErrorPayload.class,
                    MethodHandles.publicLookup()));
            add(new EnumFormat(Format.TERMINATED_REASON, Terminated.Reason.class));
            add(new EnumFormat(Format.ERROR_KIND, ErrorKind.class));
            add(new Format.ListFormat());
        }

        /**
         * Registers a public record (in an exported package, if it is in a named module). Its components are
         * encoded in declaration order; each must be a supported type (checked by {@link #build()}).
         *
         * @param <R> the record type
         * @param type the record class
         * @param id its type id, {@value Codec#FIRST_USER_TYPE_ID} or more, the same on every node
         * @return this builder
         * @throws IllegalArgumentException if the id or class is already registered or built in, the id is below
         * {@value Codec#FIRST_USER_TYPE_ID}, or the record is not accessible (use
         * {@link #registerRecord(Class, int, MethodHandles.Lookup)})
         */
        public <R extends Record> Builder registerRecord(Class<R> type, int id) {
            return registerRecord(type, id, MethodHandles.publicLookup());
        }

        /**
         * Registers a record that this module cannot reach by itself, such as a private nested record, through
         * the caller's lookup: {@code registerRecord(Order.class, 100, MethodHandles.lookup())}.
         *
         * @param <R> the record type
         * @param type the record class
         * @param id its type id, {@value Codec#FIRST_USER_TYPE_ID} or more, the same on every node
         * @param lookup a lookup with access to the record's accessors and canonical constructor
         * @return this builder
         * @throws IllegalArgumentException as {@link #registerRecord(Class, int)}
         */
        public <R extends Record> Builder registerRecord(Class<R> type, int id, MethodHandles.Lookup lookup) {
            Objects.requireNonNull(lookup, "lookup");
            checkNew(type, id);
            add(RecordFormat.create(id, type, lookup));
            return this;
        }

        /**
         * Registers an enum. A constant is encoded as its ordinal, so every node must declare the same constants
         * in the same order; the {@link Codec#fingerprint()} covers the names in order, so a handshake that
         * compares fingerprints catches a node with reordered or added constants.
         *
         * @param <E> the enum type
         * @param type the enum class
         * @param id its type id, {@value Codec#FIRST_USER_TYPE_ID} or more, the same on every node
         * @return this builder
         * @throws IllegalArgumentException if the id or class is already registered or built in, or the id is
         * below {@value Codec#FIRST_USER_TYPE_ID}
         */
        public <E extends Enum<E>> Builder registerEnum(Class<E> type, int id) {
            checkNew(type, id);
            if (!type.isEnum()) {
                throw new IllegalArgumentException(type.getName() + " is not an enum class");
            }
            add(new EnumFormat(id, type));
            return this;
        }

        /**
         * Registers a type with its own encoder and decoder. Values are matched by exact class, so register a
         * concrete class, not an interface or a superclass. The body is length-prefixed: the decoder sees
         * only its own bytes and must read all of them.
         *
         * @param <T> the type
         * @param type the concrete class
         * @param id its type id, {@value Codec#FIRST_USER_TYPE_ID} or more, the same on every node
         * @param encoder writes a value's fields; stateless or thread-safe
         * @param decoder reads them back, validating untrusted input; stateless or thread-safe
         * @return this builder
         * @throws IllegalArgumentException if the id or class is already registered or built in, the id is below
         * {@value Codec#FIRST_USER_TYPE_ID}, or the class is an interface, abstract, primitive or a
         * {@link List}
         */
        public <T> Builder register(Class<T> type, int id, Encoder<? super T> encoder,
                Decoder<? extends T> decoder) {
            Objects.requireNonNull(encoder, "encoder");
            Objects.requireNonNull(decoder, "decoder");
            checkNew(type, id);
            if (type.isInterface() || type.isPrimitive()
                    || (!type.isArray() && java.lang.reflect.Modifier.isAbstract(type.getModifiers()))) {
                throw new IllegalArgumentException(type.getName() + " is an interface, abstract or primitive;"
                        + " payloads are matched by exact class, so register each concrete class");
            }
            add(new CustomFormat(id, type, encoder, decoder));
            return this;
        }

        /**
         * Sets the largest encoding, in bytes, that the codec will write or accept. Set the same on every node:
         * a node refuses to decode what is larger than its own limit.
         *
         * @param bytes the limit, at least 16; default {@value Codec#DEFAULT_MAX_ENCODED_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is below 16
         */
        public Builder maxEncodedSize(int bytes) {
            if (bytes < 16) {
                throw new IllegalArgumentException("maxEncodedSize must be at least 16 bytes, was " + bytes);
            }
            this.maxEncodedSize = bytes;
            return this;
        }

        /**
         * Validates every record's component types against the complete set of registrations and builds the
         * codec. The builder may be used again afterwards; codecs built from it do not share state.
         *
         * @return an immutable, thread-safe codec
         * @throws IllegalArgumentException naming the record, component and type if a component's type is not
         * supported or not registered
         */
        public Codec build() {
            Map<Class<?>, Format> linked = new HashMap<>();
            for (Format f : byClass.values()) {
                linked.put(f.type, f instanceof RecordFormat r ? r.link(byClass.keySet()) : f);
            }
            List<Format> formats = new ArrayList<>(linked.values());
            formats.sort(Comparator.comparingInt(f -> f.id));
            return new Codec(linked, formats, maxEncodedSize);
        }

        private void checkNew(Class<?> type, int id) {
            Objects.requireNonNull(type, "type");
            Format sameClass = byClass.get(type);
            if (sameClass != null) {
                throw new IllegalArgumentException(type.getName() + (sameClass.id < FIRST_USER_TYPE_ID
                        ? " is built in (type id " + sameClass.id + ") and cannot be registered"
                        : " is already registered with type id " + sameClass.id));
            }
            if (List.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(type.getName() + " is a List; lists are built in (type id "
                        + Format.LIST + ") and cannot be registered");
            }
            if (id < FIRST_USER_TYPE_ID) {
                throw new IllegalArgumentException("type id " + id + " for " + type.getName() + " is reserved: ids"
                        + " below " + FIRST_USER_TYPE_ID + " belong to built-ins; use " + FIRST_USER_TYPE_ID
                        + " or more");
            }
            Format sameId = byId.get(id);
            if (sameId != null) {
                throw new IllegalArgumentException("type id " + id + " is already registered for "
                        + sameId.type.getName() + "; give " + type.getName() + " its own id");
            }
        }

        private void add(Format f) {
            byClass.put(f.type, f);
            byId.put(f.id, f);
        }
    }
}
