package io.loomnet.transport.zmq.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A record registered with {@link Codec.Builder#registerRecord}, or one of the built-in records: the body is
 * each component in declaration order. Primitive components are written bare ({@code int}/{@code long} as
 * zigzag varints, the others fixed width); reference components are written as tagged values (type id, then
 * body), so they may be null, and every decoded one is checked against the component's declared type.
 *
 * <p>Accessors and the canonical constructor are looked up once, at registration, as method handles.
 * Component types are validated when the codec is built, once every registration is known ({@link #link}).
 * Immutable after that.
 */
final class RecordFormat extends Format {
    private final Component[] components;
    private final MethodHandle constructor;

    private RecordFormat(int id, Class<?> type, Component[] components, MethodHandle constructor) {
        super(id, type);
        this.components = components;
        this.constructor = constructor;
    }

    /**
     * @throws IllegalArgumentException if {@code type} is not a record or {@code lookup} cannot reach its
     * accessors and canonical constructor
     */
    static RecordFormat create(int id, Class<?> type, MethodHandles.Lookup lookup) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not a record; register it with"
                    + " register(type, id, encoder, decoder) instead");
        }
        RecordComponent[] rcs = type.getRecordComponents();
        Component[] components = new Component[rcs.length];
        Class<?>[] types = new Class<?>[rcs.length];
        try {
            for (int i = 0; i < rcs.length; i++) {
                RecordComponent rc = rcs[i];
                types[i] = rc.getType();
                Class<?> erased = rc.getType().isPrimitive() ? rc.getType() : Object.class;
                MethodHandle accessor = lookup.unreflect(rc.getAccessor())
                        .asType(MethodType.methodType(erased, Object.class));
                components[i] = new Component(rc.getName(), rc.getType(), rc.getGenericType(), accessor, null);
            }
            MethodHandle canonical = lookup.findConstructor(type, MethodType.methodType(void.class, types));
            MethodHandle constructor = canonical.asType(canonical.type().generic())
                    .asSpreader(Object[].class, rcs.length);
            return new RecordFormat(id, type, components, constructor);
        } catch (IllegalAccessException | NoSuchMethodException e) {
            throw new IllegalArgumentException("cannot reach the accessors and canonical constructor of record "
                    + type.getName() + " (" + e.getMessage() + "); make the record public in an exported package,"
                    + " or pass your own lookup: registerRecord(" + simpleName(type) + ".class, " + id
                    + ", MethodHandles.lookup())", e);
        }
    }

    /**
     * Resolves every component's type against the complete registry.
     *
     * @param known every class the codec will know, built-ins included
     * @return a copy of this format whose components check decoded values against their declared types
     * @throws IllegalArgumentException naming the record, the component and its type if one is unsupported
     */
    RecordFormat link(Set<Class<?>> known) {
        Component[] linked = new Component[components.length];
        for (int i = 0; i < linked.length; i++) {
            Component c = components[i];
            linked[i] = c.raw.isPrimitive() ? c : c.withShape(shapeOf(c.generic, known, c));
        }
        return new RecordFormat(id, type, linked, constructor);
    }

    private Shape shapeOf(Type t, Set<Class<?>> known, Component c) {
        if (t instanceof Class<?> cls) {
            if (cls == Object.class) {
                return Shape.ANY;
            }
            if (cls == List.class) {
                return new Shape(List.class, Shape.ANY);
            }
            if (known.contains(cls)) {
                return new Shape(cls, null);
            }
            throw unsupported(c, hint(cls));
        }
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            return new Shape(List.class, shapeOf(p.getActualTypeArguments()[0], known, c));
        }
        if (t instanceof WildcardType w) {
            return w.getLowerBounds().length > 0 ? Shape.ANY : shapeOf(w.getUpperBounds()[0], known, c);
        }
        if (t instanceof TypeVariable<?> v) {
            // Use the bound's erasure: a bound such as List<T> would otherwise recurse forever.
            Type bound = v.getBounds()[0];
            return shapeOf(bound instanceof ParameterizedType p ? p.getRawType() : bound, known, c);
        }
        if (t instanceof GenericArrayType) {
            throw unsupported(c, "arrays other than byte[] are not supported; use a List");
        }
        throw unsupported(c, "only List is supported among generic types; use a List, a record, or register a"
                + " custom codec for the component's class");
    }

    private static String hint(Class<?> cls) {
        if (cls.isRecord()) {
            return "it is a record that is not registered; add registerRecord(" + simpleName(cls)
                    + ".class, <id >= 64>) on every node";
        }
        if (cls.isEnum()) {
            return "it is an enum that is not registered; add registerEnum(" + simpleName(cls)
                    + ".class, <id >= 64>) on every node";
        }
        if (cls.isArray()) {
            return "arrays other than byte[] are not supported; use a List";
        }
        if (cls.isPrimitive()) {
            return "primitives are supported only as components, not inside generic types";
        }
        return "supported are primitives, String, byte[], boxed primitives, Handle, Terminated, ErrorPayload,"
                + " List, Object, and records, enums and classes registered with Codec.builder()";
    }

    private IllegalArgumentException unsupported(Component c, String why) {
        return new IllegalArgumentException("record " + type.getName() + " component '" + c.name + "' has type "
                + c.generic.getTypeName() + ", which the cluster codec cannot encode: " + why);
    }

    @Override
    void write(Writer out, Object value) {
        out.enter();
        for (Component c : components) {
            c.write(out, value, this);
        }
        out.exit();
    }

    @Override
    Object read(Reader in) {
        in.enter();
        Object[] args = new Object[components.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = components[i].read(in, this);
        }
        in.exit();
        try {
            return (Object) constructor.invokeExact(args);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            throw new CodecException("record " + type.getName() + " (type id " + id
                    + ") rejected the decoded components: " + e, e);
        }
    }

    @Override
    String describe() {
        return id + " record " + type.getName() + Arrays.stream(components)
                .map(c -> c.generic.getTypeName() + " " + c.name)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    static String simpleName(Class<?> type) {
        String canonical = type.getCanonicalName();
        return canonical != null ? canonical : type.getName();
    }

    /**
     * One record component: its accessor handle, typed {@code (Object)P} for a primitive P, else
     * {@code (Object)Object}.
     */
    private static final class Component {
        final String name;
        final Class<?> raw;
        final Type generic;
        final MethodHandle accessor;
        /** Null until linked, and for primitive components. */
        final Shape shape;

        Component(String name, Class<?> raw, Type generic, MethodHandle accessor, Shape shape) {
            this.name = name;
            this.raw = raw;
            this.generic = generic;
            this.accessor = accessor;
            this.shape = shape;
        }

        Component withShape(Shape linked) {
            return new Component(name, raw, generic, accessor, linked);
        }

        void write(Writer out, Object record, RecordFormat owner) {
            try {
                if (!raw.isPrimitive()) {
                    Object v = (Object) accessor.invokeExact(record);
                    out.writeValue(v);
                } else if (raw == int.class) {
                    out.writeInt((int) accessor.invokeExact(record));
                } else if (raw == long.class) {
                    out.writeLong((long) accessor.invokeExact(record));
                } else if (raw == boolean.class) {
                    out.writeBoolean((boolean) accessor.invokeExact(record));
                } else if (raw == double.class) {
                    out.writeDouble((double) accessor.invokeExact(record));
                } else if (raw == float.class) {
                    out.writeFloat((float) accessor.invokeExact(record));
                } else if (raw == byte.class) {
                    out.writeByte((byte) accessor.invokeExact(record));
                } else if (raw == short.class) {
                    out.writeShort((short) accessor.invokeExact(record));
                } else {
                    out.writeChar((char) accessor.invokeExact(record));
                }
            } catch (CodecException | VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                throw new CodecException("accessor of component '" + name + "' of record " + owner.type.getName()
                        + " failed: " + e, e);
            }
        }

        Object read(Reader in, RecordFormat owner) {
            if (!raw.isPrimitive()) {
                int at = in.position();
                Object v = in.readValue();
                if (!shape.accepts(v)) {
                    throw in.malformedAt(at, "component '" + name + "' of record " + owner.type.getName()
                            + " has type " + generic.getTypeName() + " but the input holds a "
                            + v.getClass().getName() + (v instanceof List ? " with elements of other types" : ""));
                }
                return v;
            }
            if (raw == int.class) {
                return in.readInt();
            } else if (raw == long.class) {
                return in.readLong();
            } else if (raw == boolean.class) {
                return in.readBoolean();
            } else if (raw == double.class) {
                return in.readDouble();
            } else if (raw == float.class) {
                return in.readFloat();
            } else if (raw == byte.class) {
                return in.readByte();
            } else if (raw == short.class) {
                return in.readShort();
            } else {
                return in.readChar();
            }
        }
    }
}
