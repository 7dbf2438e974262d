package io.loomnet.launcher.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * INTERNAL API. Reads '\n'-terminated lines of at most a given number of bytes from a stream, so a client
 * cannot make the reader buffer without bound. A trailing '\r' is dropped. Not thread-safe: one reader
 * thread per stream.
 */
public final class BoundedLineReader {
    /** Returned by {@link #readLine()} when a line exceeds the limit. */
    public static final byte[] TOO_LONG = new byte[0];

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;

    /**
     * @param in the stream
     * @param maxBytes the longest line accepted, without its terminator
     */
    public BoundedLineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /**
     * @return the next line without its terminator; the last unterminated bytes at end of stream as a line;
     * {@code null} at end of stream; {@link #TOO_LONG} (compare by identity) if the line is longer than allowed
     * @throws IOException if reading fails
     */
    public byte[] readLine() throws IOException {
        byte[] line = new byte[Math.min(maxBytes + 1, 256)];
        int n = 0;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return n == 0 ? null : trimCr(line, n);
                }
            }
            byte b = buf[pos++];
            if (b == '\n') {
                return trimCr(line, n);
            }
            if (n == maxBytes + 1 || (n == maxBytes && b != '\r')) {
                return TOO_LONG;
            }
            if (n == line.length) {
                line = Arrays.copyOf(line, Math.min(maxBytes + 1, line.length * 2));
            }
            line[n++] = b;
        }
    }

    private static byte[] trimCr(byte[] line, int n) {
        int len = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        return Arrays.copyOf(line, len);
    }
}
