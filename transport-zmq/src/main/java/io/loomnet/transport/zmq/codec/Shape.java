package io.loomnet.transport.zmq.codec;

import java.util.List;

/**
 * What a record component may hold, checked on every decoded value so that a hostile peer cannot place,
 * say, a {@code String} in a {@code List<Order>}. Immutable.
 */
final class Shape {
    /** Any supported value: an {@code Object} component, a type variable, or the elements of a raw list. */
    static final Shape ANY = new Shape(null, null);

    private final Class<?> raw;
    private final Shape element;

    Shape(Class<?> raw, Shape element) {
        this.raw = raw;
        this.element = element;
    }

    boolean accepts(Object value) {
        if (value == null || raw == null) {
            return true;
        }
        if (!raw.isInstance(value)) {
            return false;
        }
        if (element != null && element != ANY) {
            for (Object e : (List<?>) value) {
                if (!element.accepts(e)) {
                    return false;
                }
            }
        }
        return true;
    }
}
