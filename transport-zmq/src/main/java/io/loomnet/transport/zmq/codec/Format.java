package io.loomnet.transport.zmq.codec;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.loomnet.Handle;

/**
 * How one type id's body is written and read. Package-private: built-ins are the nested classes here, user
 * types are {@link RecordFormat}, {@link EnumFormat} and {@link CustomFormat}.
 *
 * <p>Immutable once its codec is built, and then shared by every thread using the codec.
 */
abstract class Format {
    final int id;
    final Class<?> type;

    Format(int id, Class<?> type) {
        this.id = id;
        this.type = type;
    }

    /** Writes {@code value}'s body (not its type id). {@code value} is never null. */
    abstract void write(Writer out, Object value);

    /** Reads a body; the type id has been consumed. */
    abstract Object read(Reader in);

    /** One line for {@link Codec#registrations()} and the fingerprint: id, kind, type and layout. */
    String describe() {
        return id + " " + type.getTypeName();
    }

    /** Type ids of the built-ins. Ids below {@link Codec#FIRST_USER_TYPE_ID} are reserved for these. */
    static final int NULL = 0;
    static final int BYTES = 1;
    static final int STRING = 2;
    static final int BOOLEAN = 3;
    static final int BYTE = 4;
    static final int SHORT = 5;
    static final int CHAR = 6;
    static final int INT = 7;
    static final int LONG = 8;
    static final int FLOAT = 9;
    static final int DOUBLE = 10;
    static final int HANDLE = 11;
    static final int TERMINATED = 12;
    static final int ERROR_PAYLOAD = 13;
    static final int TERMINATED_REASON = 14;
    static final int ERROR_KIND = 15;
    static final int LIST = 16;

    /** The scalar built-ins, in id order (ids 1..11). */
    static List<Format> scalars() {
        return List.of(
                new Scalar(BYTES, byte[].class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeBytes((byte[]) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readBytes();
                    }
                },
                new Scalar(STRING, String.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeString((String) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readString();
                    }
                },
                new Scalar(BOOLEAN, Boolean.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeBoolean((Boolean) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readBoolean();
                    }
                },
                new Scalar(BYTE, Byte.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeByte((Byte) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readByte();
                    }
                },
                new Scalar(SHORT, Short.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeShort((Short) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readShort();
                    }
                },
                new Scalar(CHAR, Character.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeChar((Character) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readChar();
                    }
                },
                new Scalar(INT, Integer.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeInt((Integer) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readInt();
                    }
                },
                new Scalar(LONG, Long.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeLong((Long) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readLong();
                    }
                },
                new Scalar(FLOAT, Float.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeFloat((Float) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readFloat();
                    }
                },
                new Scalar(DOUBLE, Double.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeDouble((Double) value);
                    }

                    @Override
                    Object read(Reader in) {
                        return in.readDouble();
                    }
                },
                new Scalar(HANDLE, Handle.class) {
                    @Override
                    void write(Writer out, Object value) {
                        out.writeFixed64(((Handle) value).value());
                    }

                    @Override
                    Object read(Reader in) {
                        return Handle.ofValue(in.readFixed64());
                    }
                });
    }

    /** A built-in with a fixed body layout. */
    private abstract static class Scalar extends Format {
        Scalar(int id, Class<?> type) {
            super(id, type);
        }
    }

    /**
     * Id 16: any {@link List} of supported values, written as a varint count then each element with its type
     * id; read back as an unmodifiable list (which may hold nulls).
     */
    static final class ListFormat extends Format {
        ListFormat() {
            super(LIST, List.class);
        }

        @Override
        void write(Writer out, Object value) {
            List<?> list = (List<?>) value;
            out.enter();
            int size = list.size();
            out.writeVarint(size);
            int written = 0;
            for (Object element : list) {
                out.writeValue(element);
                written++;
            }
            if (written != size) {
                throw new CodecException("a " + value.getClass().getName() + " changed size while it was being"
                        + " encoded (" + size + " then " + written + " elements); do not mutate a payload after"
                        + " sending it");
            }
            out.exit();
        }

        @Override
        Object read(Reader in) {
            in.enter();
            // Every element takes at least one byte, so the count is bounded by the input.
            int count = in.readLength();
            Object[] elements = new Object[count];
            for (int i = 0; i < count; i++) {
                elements[i] = in.readValue();
            }
            in.exit();
            return Collections.unmodifiableList(Arrays.asList(elements));
        }

        @Override
        String describe() {
            return id + " list";
        }
    }
}
