package io.loomnet;

import java.util.Objects;

/**
 * The address of a service: 64 bits, a 16-bit node id and a 48-bit local sequence.
 *
 * <p>A node never reuses a sequence during its life, so a stale handle can never reach a newer service
 * (Skynet reuses 24-bit slots and must double-check on every lookup; see
 * {@code docs/decisions/0002-64-bit-handles.md}). Sequence 0 is reserved: it names the node itself, the
 * source of messages sent from outside any service.
 *
 * <p>Printed Skynet-style as {@code :NNNN:SSSSSSSSSSSS} in hexadecimal, for example {@code :0001:00000000002a};
 * {@link #parse(String)} reads that form back. Instances are immutable and safe to share between threads;
 * compare them with {@link #equals(Object)}.
 */
public final class Handle implements Comparable<Handle> {
    /** Largest node id: node ids are 16 bits. */
    public static final int MAX_NODE = 0xFFFF;
    /** Largest local sequence: sequences are 48 bits. */
    public static final long MAX_SEQUENCE = (1L << 48) - 1;

    private final long value;

    private Handle(long value) {
        this.value = value;
    }

    /**
     * The one check for node ids, shared by builders and config readers.
     *
     * @param nodeId a node id
     * @return {@code nodeId}, if it is in 0..{@value #MAX_NODE}
     * @throws IllegalArgumentException naming the range and the value otherwise
     */
    public static int requireNodeId(int nodeId) {
        if (nodeId < 0 || nodeId > MAX_NODE) {
            throw new IllegalArgumentException("node id must be in 0.." + MAX_NODE + ", was " + nodeId);
        }
        return nodeId;
    }

    /**
     * @param node the node id, 0..65535
     * @param sequence the local sequence, 0..2^48-1
     * @return the handle
     * @throws IllegalArgumentException if either part is out of range
     */
    public static Handle of(int node, long sequence) {
        requireNodeId(node);
        if (sequence < 0 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence must be in 0.." + MAX_SEQUENCE + ", was " + sequence);
        }
        return new Handle(((long) node << 48) | sequence);
    }

    /**
     * @param value a 64-bit handle value as returned by {@link #value()}
     * @return the handle
     */
    public static Handle ofValue(long value) {
        return new Handle(value);
    }

    /**
     * Reads a handle printed by {@link #toString()}.
     *
     * @param text {@code :NNNN:SSSSSSSSSSSS} (hexadecimal, leading zeros optional)
     * @return the handle
     * @throws IllegalArgumentException naming the text if it is not a handle
     */
    public static Handle parse(String text) {
        Objects.requireNonNull(text, "text");
        int second = text.indexOf(':', 1);
        if (!text.startsWith(":") || second < 2 || second == text.length() - 1) {
            throw new IllegalArgumentException("not a handle: '" + text + "' (expected :NNNN:SSSSSSSSSSSS)");
        }
        try {
            int node = Integer.parseInt(text.substring(1, second), 16);
            long seq = Long.parseLong(text.substring(second + 1), 16);
            return of(node, seq);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a handle: '" + text + "' (expected :NNNN:SSSSSSSSSSSS)", e);
        }
    }

    /** @return the 64-bit value: node id in the top 16 bits, sequence in the low 48 */
    public long value() {
        return value;
    }

    /** @return the node id */
    public int node() {
        return (int) (value >>> 48);
    }

    /** @return the local sequence */
    public long sequence() {
        return value & MAX_SEQUENCE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Handle h && h.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public int compareTo(Handle o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        // Hot enough (MDC, logs, error messages) to avoid String.format.
        char[] out = new char[18];
        out[0] = ':';
        hex(node(), out, 1, 4);
        out[5] = ':';
        hex(sequence(), out, 6, 12);
        return new String(out);
    }

    private static void hex(long v, char[] out, int at, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = Character.forDigit((int) (v & 0xF), 16);
            v >>>= 4;
        }
    }
}
