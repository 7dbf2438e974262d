package io.loomnet.transport.zmq.codec;

/**
 * Reads the body of a user type registered with
 * {@link Codec.Builder#register(Class, int, Encoder, Decoder)}: the inverse of its {@link Encoder}.
 *
 * <p>Must be stateless or thread-safe. Its input comes from the network: it must validate what it reads and
 * signal bad input by throwing (any {@link RuntimeException} is wrapped in a {@link CodecException} naming
 * the type). The {@link Reader} is bounded to this value's body: reading past it throws, and a decoder that
 * leaves body bytes unread fails the decode.
 *
 * @param <T> the registered type
 */
@FunctionalInterface
public interface Decoder<T> {
    /**
     * Reads one value.
     *
     * @param in the body of the value; valid only during this call
     * @return the value, never {@code null}
     */
    T decode(Reader in);
}
