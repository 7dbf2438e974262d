package io.loomnet.transport.zmq.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads encoded fields from untrusted input: what a user {@link Decoder} reads from. Each method is the
 * inverse of the {@link Writer} method of the same name.
 *
 * <p>Every read is bounded by the bytes remaining (a length can never make it allocate more than the input
 * holds), accepts only the canonical form of its field (no overlong varints, booleans other than 0 or 1, or
 * invalid UTF-8), and reports any problem as a {@link CodecException} giving the offset.
 *
 * <p><b>Note:</b> not threadsafe. An instance is created for one {@link Codec#decode} call and is valid only
 * during that call.
 */
public final class Reader {
    private final Codec codec;
    private final byte[] buf;
    private final int start;
    private int pos;
    private int limit;
    private int depth;

    Reader(Codec codec, byte[] buf, int offset, int length) {
        this.codec = codec;
        this.buf = buf;
        this.start = offset;
        this.pos = offset;
        this.limit = offset + length;
    }

    /**
     * @return the next byte as a boolean
     * @throws CodecException if it is neither 0 nor 1, or no byte remains
     */
    public boolean readBoolean() {
        need(1);
        byte b = buf[pos];
        if (b != 0 && b != 1) {
            throw malformed("boolean byte " + b + " is neither 0 nor 1");
        }
        pos++;
        return b == 1;
    }

    /**
     * @return the next byte
     * @throws CodecException if no byte remains
     */
    public byte readByte() {
        need(1);
        return buf[pos++];
    }

    /**
     * @return the next two bytes, big-endian
     * @throws CodecException if fewer remain
     */
    public short readShort() {
        need(2);
        short v = (short) ((buf[pos] << 8) | (buf[pos + 1] & 0xFF));
        pos += 2;
        return v;
    }

    /**
     * @return the next two bytes, big-endian, as a UTF-16 code unit
     * @throws CodecException if fewer remain
     */
    public char readChar() {
        return (char) readShort();
    }

    /**
     * @return a zigzag varint of at most 5 bytes
     * @throws CodecException if it is truncated, overlong or larger than 32 bits
     */
    public int readInt() {
        int v = readVarint32();
        return (v >>> 1) ^ -(v & 1);
    }

    /**
     * @return a zigzag varint of at most 10 bytes
     * @throws CodecException if it is truncated, overlong or larger than 64 bits
     */
    public long readLong() {
        int at = pos;
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            need(1);
            byte b = buf[pos++];
            if (shift == 63 && (b & 0xFE) != 0) {
                throw malformedAt(at, "varint is larger than 64 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                if (b == 0 && shift > 0) {
                    throw malformedAt(at, "varint is overlong (not in its shortest form)");
                }
                break;
            }
        }
        return (result >>> 1) ^ -(result & 1);
    }

    /**
     * @return 4 bytes of raw IEEE 754 bits, big-endian
     * @throws CodecException if fewer remain
     */
    public float readFloat() {
        return Float.intBitsToFloat(readFixed32());
    }

    /**
     * @return 8 bytes of raw IEEE 754 bits, big-endian
     * @throws CodecException if fewer remain
     */
    public double readDouble() {
        return Double.longBitsToDouble(readFixed64());
    }

    /**
     * @return a string: a varint byte count, then that many bytes of UTF-8
     * @throws CodecException if the count exceeds the bytes remaining or the bytes are not valid UTF-8
     */
    public String readString() {
        int length = readLength();
        int at = pos;
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        // The constructor replaces invalid sequences with U+FFFD; only then decode again strictly to tell a
        // genuine U+FFFD from bad input.
        if (s.indexOf('\uFFFD') >= 0) {
            try {
                CharBuffer strict = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(buf, pos, length));
                s = strict.toString();
            } catch (CharacterCodingException e) {
                throw malformedAt(at, "string of " + length + " bytes is not valid UTF-8");
            }
        }
        pos += length;
        return s;
    }

    /**
     * @return a byte array: a varint length, then that many bytes
     * @throws CodecException if the length exceeds the bytes remaining
     */
    public byte[] readBytes() {
        int length = readLength();
        byte[] out = new byte[length];
        System.arraycopy(buf, pos, out, 0, length);
        pos += length;
        return out;
    }

    /**
     * Reads any supported value written by {@link Writer#writeValue}: its type id, then its body.
     *
     * @return the value, possibly {@code null}
     * @throws CodecException if the type id is unknown, the body is malformed, or values nest more than
     * {@link Codec#MAX_DEPTH} levels deep
     */
    public Object readValue() {
        return codec.readTagged(this);
    }

    /**
     * Reads any supported value and checks its type.
     *
     * @param <T> the expected type
     * @param type the expected type; {@code null} is accepted for any type
     * @return the value, possibly {@code null}
     * @throws CodecException as {@link #readValue()}, or if the value is not a {@code type}
     */
    public <T> T readValue(Class<T> type) {
        int at = pos;
        Object value = readValue();
        if (value != null && !type.isInstance(value)) {
            throw malformedAt(at, "expected a " + type.getName() + " but the input holds a "
                    + value.getClass().getName());
        }
        return type.cast(value);
    }

    /** @return the number of bytes left in this value's body (or the whole input, at top level) */
    public int remaining() {
        return limit - pos;
    }

    /** Reads an unsigned varint of at most 5 bytes as a 32-bit pattern, strictly. */
    int readVarint32() {
        int at = pos;
        int result = 0;
        for (int shift = 0; ; shift += 7) {
            need(1);
            byte b = buf[pos++];
            if (shift == 28 && (b & 0xF0) != 0) {
                throw malformedAt(at, "varint is larger than 32 bits");
            }
            result |= (b & 0x7F) << shift;
            if (b >= 0) {
                if (b == 0 && shift > 0) {
                    throw malformedAt(at, "varint is overlong (not in its shortest form)");
                }
                return result;
            }
        }
    }

    /** Reads a length or count and checks it against the bytes remaining, so no caller over-allocates. */
    int readLength() {
        int at = pos;
        int length = readVarint32();
        if (length < 0 || length > limit - pos) {
            throw malformedAt(at, "length " + Integer.toUnsignedString(length) + " exceeds the "
                    + (limit - pos) + " bytes remaining");
        }
        return length;
    }

    int readFixed32() {
        need(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long readFixed64() {
        long hi = readFixed32() & 0xFFFFFFFFL;
        long lo = readFixed32() & 0xFFFFFFFFL;
        return (hi << 32) | lo;
    }

    int position() {
        return pos;
    }

    /** Offset of the current position from the start of the input, for messages. */
    int offset() {
        return pos - start;
    }

    int limit() {
        return limit;
    }

    void limit(int newLimit) {
        limit = newLimit;
    }

    void enter() {
        if (++depth > Codec.MAX_DEPTH) {
            throw malformed("input nests more than " + Codec.MAX_DEPTH + " levels of lists, records or custom types");
        }
    }

    void exit() {
        depth--;
    }

    CodecException malformed(String what) {
        return malformedAt(pos, what);
    }

    CodecException malformedAt(int position, String what) {
        return new CodecException("malformed payload at offset " + (position - start) + ": " + what);
    }

    private void need(int n) {
        if (limit - pos < n) {
            throw malformed("truncated: needs " + n + " more byte(s), " + (limit - pos) + " remain");
        }
    }
}
