package io.loomnet.transport.zmq.codec;

/**
 * A type registered with {@link Codec.Builder#register}: the body is a varint length followed by what the
 * user's {@link Encoder} wrote. The length confines the user's {@link Decoder} to its own bytes. Immutable.
 */
final class CustomFormat extends Format {
    private final Encoder<Object> encoder;
    private final Decoder<?> decoder;

    @SuppressWarnings("unchecked")
    CustomFormat(int id, Class<?> type, Encoder<?> encoder, Decoder<?> decoder) {
        super(id, type);
        this.encoder = (Encoder<Object>) encoder;
        this.decoder = decoder;
    }

    @Override
    void write(Writer out, Object value) {
        out.enter();
        int bodyStart = out.beginLengthPrefixed();
        try {
            encoder.encode(value, out);
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("the Encoder registered for " + type.getName() + " (type id " + id
                    + ") failed: " + e, e);
        }
        out.endLengthPrefixed(bodyStart);
        out.exit();
    }

    @Override
    Object read(Reader in) {
        in.enter();
        int length = in.readLength();
        int bodyStart = in.position();
        int end = bodyStart + length;
        int outerLimit = in.limit();
        in.limit(end);
        Object value;
        try {
            value = decoder.decode(in);
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("the Decoder registered for " + type.getName() + " (type id " + id
                    + ") rejected its input at offset " + in.offset() + ": " + e, e);
        }
        if (in.position() != end) {
            throw in.malformedAt(bodyStart, "the Decoder registered for " + type.getName() + " (type id " + id
                    + ") read " + (in.position() - bodyStart) + " of the " + length
                    + " body bytes; a Decoder must read exactly what its Encoder writes");
        }
        if (!type.isInstance(value)) {
            throw new CodecException("the Decoder registered for " + type.getName() + " (type id " + id
                    + ") returned " + (value == null ? "null" : "a " + value.getClass().getName())
                    + "; it must return a " + type.getName());
        }
        in.limit(outerLimit);
        in.exit();
        return value;
    }

    @Override
    String describe() {
        return id + " custom " + type.getName();
    }
}
