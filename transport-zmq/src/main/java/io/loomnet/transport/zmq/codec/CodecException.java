package io.loomnet.transport.zmq.codec;

import io.loomnet.LoomnetException;

/**
 * A payload could not be encoded or decoded by the cluster {@link Codec}.
 *
 * <p>Thrown by {@link Codec#encode} when a payload (or a value inside it) has no registered type, is too large
 * or nests too deeply, and by {@link Codec#decode} for every kind of bad input: truncated, trailing bytes,
 * unknown type ids, invalid UTF-8, out-of-range enum ordinals, lengths larger than the input, nesting deeper
 * than {@link Codec#MAX_DEPTH}, and failures of a record's constructor or a user {@link Decoder}. Decoding
 * never throws anything else for any input, so a transport can catch this one type, count the frame as
 * malformed and drop it.
 *
 * <p>The message names the type or type id involved and, where there is one, what to do about it.
 */
public final class CodecException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the type or type id and the fix */
    public CodecException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the type or type id and the fix
     * @param cause the underlying failure (a record constructor's or a user encoder's exception)
     */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
