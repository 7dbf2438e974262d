package io.loomnet.transport.zmq.codec;

/**
 * Writes the body of a user type registered with
 * {@link Codec.Builder#register(Class, int, Encoder, Decoder)}.
 *
 * <p>Must be stateless or thread-safe: one instance serves every thread that encodes with the codec. Its
 * {@link Decoder} must read back exactly what it writes. The codec writes the type id and the body's length
 * itself; the encoder writes only the fields.
 *
 * @param <T> the registered type
 */
@FunctionalInterface
public interface Encoder<T> {
    /**
     * Writes {@code value}'s fields.
     *
     * @param value the value to encode, never {@code null} (null is encoded by the codec itself)
     * @param out where to write; valid only during this call
     */
    void encode(T value, Writer out);
}
