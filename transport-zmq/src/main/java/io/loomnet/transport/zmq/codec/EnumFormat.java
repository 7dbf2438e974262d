package io.loomnet.transport.zmq.codec;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An enum registered with {@link Codec.Builder#registerEnum}: the body is the constant's ordinal as a varint.
 * Immutable.
 */
final class EnumFormat extends Format {
    private final Enum<?>[] constants;

    EnumFormat(int id, Class<? extends Enum<?>> type) {
        super(id, type);
        this.constants = type.getEnumConstants().clone();
    }

    @Override
    void write(Writer out, Object value) {
        out.writeVarint(((Enum<?>) value).ordinal());
    }

    @Override
    Object read(Reader in) {
        int at = in.position();
        int ordinal = in.readVarint32();
        if (ordinal < 0 || ordinal >= constants.length) {
            throw in.malformedAt(at, "ordinal " + Integer.toUnsignedString(ordinal) + " is out of range for enum "
                    + type.getName() + " (type id " + id + "), which has " + constants.length + " constants");
        }
        return constants[ordinal];
    }

    @Override
    String describe() {
        return id + " enum " + type.getName()
                + Arrays.stream(constants).map(Enum::name).collect(Collectors.joining(",", "{", "}"));
    }
}
