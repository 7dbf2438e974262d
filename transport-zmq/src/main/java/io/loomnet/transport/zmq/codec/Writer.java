package io.loomnet.transport.zmq.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Appends encoded fields to a growing buffer: what a user {@link Encoder} writes to. The layouts are those
 * of the wire format (see the package documentation): {@link #writeInt}/{@link #writeLong} are zigzag
 * varints, {@link #writeFloat}/{@link #writeDouble} raw IEEE 754 bits, strings and byte arrays are length
 * prefixed, and {@link #writeValue} writes any supported value with its type id.
 *
 * <p>Every write checks the codec's {@linkplain Codec#maxEncodedSize() size limit} and throws
 * {@link CodecException} as soon as the payload would exceed it.
 *
 * <p><b>Note:</b> not threadsafe. An instance is created for one {@link Codec#encode} call and is valid only
 * during that call.
 */
public final class Writer {
    private static final int INITIAL_CAPACITY = 64;

    private final Codec codec;
    private final int maxSize;
    private final int headroom;
    private byte[] buf;
    private int pos;
    private int depth;

    Writer(Codec codec, int maxSize) {
        this(codec, maxSize, 0);
    }

    /** A writer whose first {@code headroom} bytes are left free for a header the caller writes afterwards. */
    Writer(Codec codec, int maxSize, int headroom) {
        this.codec = codec;
        this.maxSize = maxSize;
        this.headroom = headroom;
        this.buf = new byte[headroom + Math.min(INITIAL_CAPACITY, maxSize)];
        this.pos = headroom;
    }

    /** @param value written as one byte, 1 or 0 */
    public void writeBoolean(boolean value) {
        ensure(1);
        buf[pos++] = (byte) (value ? 1 : 0);
    }

    /** @param value written as one byte */
    public void writeByte(byte value) {
        ensure(1);
        buf[pos++] = value;
    }

    /** @param value written as two bytes, big-endian */
    public void writeShort(short value) {
        ensure(2);
        buf[pos++] = (byte) (value >> 8);
        buf[pos++] = (byte) value;
    }

    /** @param value written as two bytes, big-endian (one UTF-16 code unit) */
    public void writeChar(char value) {
        ensure(2);
        buf[pos++] = (byte) (value >> 8);
        buf[pos++] = (byte) value;
    }

    /** @param value written as a zigzag varint: 1 byte for -64..63, at most 5 */
    public void writeInt(int value) {
        writeVarint((value << 1) ^ (value >> 31));
    }

    /** @param value written as a zigzag varint: 1 byte for -64..63, at most 10 */
    public void writeLong(long value) {
        long v = (value << 1) ^ (value >> 63);
        ensure(v == 0 ? 1 : (70 - Long.numberOfLeadingZeros(v)) / 7);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    /** @param value written as its raw IEEE 754 bits, 4 bytes big-endian (NaN payloads and -0.0 kept) */
    public void writeFloat(float value) {
        writeFixed32(Float.floatToRawIntBits(value));
    }

    /** @param value written as its raw IEEE 754 bits, 8 bytes big-endian (NaN payloads and -0.0 kept) */
    public void writeDouble(double value) {
        writeFixed64(Double.doubleToRawLongBits(value));
    }

    /**
     * Writes a string as a varint byte count followed by its UTF-8 bytes.
     *
     * @param value the string, not {@code null} (use {@link #writeValue} for a nullable one)
     * @throws CodecException if the string holds an unpaired surrogate, which UTF-8 cannot carry
     */
    public void writeString(String value) {
        Objects.requireNonNull(value, "value");
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        // getBytes replaces an unpaired surrogate with '?': look closer only when a '?' came out.
        if (indexOfQuestionMark(utf8) >= 0) {
            checkSurrogates(value);
        }
        writeVarint(utf8.length);
        writeRaw(utf8, 0, utf8.length);
    }

    /**
     * Writes a byte array as a varint length followed by the bytes.
     *
     * @param value the bytes, not {@code null} (use {@link #writeValue} for a nullable array)
     */
    public void writeBytes(byte[] value) {
        Objects.requireNonNull(value, "value");
        writeVarint(value.length);
        writeRaw(value, 0, value.length);
    }

    /**
     * Writes any supported value, {@code null} included, as its type id followed by its body: built-ins,
     * lists and registered types. Use it for nested or nullable values.
     *
     * @param value the value
     * @throws CodecException if the value's type is not supported or not registered, or it nests more than
     * {@link Codec#MAX_DEPTH} levels deep
     */
    public void writeValue(Object value) {
        codec.writeTagged(this, value);
    }

    /** @return the number of bytes written so far */
    public int size() {
        return pos;
    }

    void writeVarint(int value) {
        ensure(varintSize(value));
        int v = value;
        while ((v & ~0x7F) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void writeFixed32(int v) {
        ensure(4);
        buf[pos++] = (byte) (v >> 24);
        buf[pos++] = (byte) (v >> 16);
        buf[pos++] = (byte) (v >> 8);
        buf[pos++] = (byte) v;
    }

    void writeFixed64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >> shift);
        }
    }

    void writeRaw(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, buf, pos, length);
        pos += length;
    }

    /** Reserves one byte for a body length; returns the position the body starts at. */
    int beginLengthPrefixed() {
        ensure(1);
        pos++;
        return pos;
    }

    /** Fills in the length reserved by {@link #beginLengthPrefixed}, moving the body if it needs more bytes. */
    void endLengthPrefixed(int bodyStart) {
        int length = pos - bodyStart;
        int extra = varintSize(length) - 1;
        if (extra > 0) {
            ensure(extra);
            System.arraycopy(buf, bodyStart, buf, bodyStart + extra, length);
            pos += extra;
        }
        int at = bodyStart - 1;
        int v = length;
        while ((v & ~0x7F) != 0) {
            buf[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[at] = (byte) v;
    }

    void enter() {
        if (++depth > Codec.MAX_DEPTH) {
            throw new CodecException("payload nests more than " + Codec.MAX_DEPTH
                    + " levels of lists, records or custom types (a list that contains itself?); flatten it");
        }
    }

    void exit() {
        depth--;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** @return the backing array itself (possibly longer than the encoding) */
    byte[] array() {
        return buf;
    }

    /** @return bytes written so far, headroom included */
    int position() {
        return pos;
    }

    static int varintSize(int value) {
        int bits = 32 - Integer.numberOfLeadingZeros(value);
        return bits <= 7 ? 1 : (bits + 6) / 7;
    }

    private void ensure(int needed) {
        if (buf.length - pos >= needed) {
            return;
        }
        long required = (long) pos + needed;
        if (required - headroom > maxSize) {
            throw new CodecException("encoded payload exceeds the cluster codec's limit of " + maxSize
                    + " bytes; send large data in smaller pieces, or raise Codec.builder().maxEncodedSize(..)"
                    + " on every node");
        }
        long grown = Math.max(required, (long) buf.length * 2);
        buf = Arrays.copyOf(buf, (int) Math.min(grown, (long) maxSize + headroom));
    }

    private static int indexOfQuestionMark(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '?') {
                return i;
            }
        }
        return -1;
    }

    private static void checkSurrogates(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new CodecException("string holds an unpaired surrogate (\\u" + Integer.toHexString(c)
                        + ") at index " + i + ", which UTF-8 cannot encode; send it as byte[] or fix the text");
            }
        }
    }
}
