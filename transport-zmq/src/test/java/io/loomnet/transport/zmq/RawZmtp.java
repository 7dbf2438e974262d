package io.loomnet.transport.zmq;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A hand-rolled ZMTP 3.0 peer over a plain {@link Socket}, for hostile-input tests: it can send a correct greeting
 * and READY and then any bytes at all, which no ZeroMQ library would produce. Not thread-safe; one per test thread.
 */
public final class RawZmtp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawZmtp(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** @return a raw TCP connection to {@code tcp://host:port} */
    public static RawZmtp connect(String endpoint) {
        String hostPort = endpoint.substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        try {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    5000);
            s.setSoTimeout(5000);
            return new RawZmtp(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the 64-byte ZMTP 3.0 greeting with the NULL mechanism, as a client */
    public static byte[] greeting() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0xFF).put(new byte[8]).put((byte) 0x7F);
        b.put((byte) 3).put((byte) 0);
        byte[] mechanism = new byte[20];
        System.arraycopy("NULL".getBytes(StandardCharsets.US_ASCII), 0, mechanism, 0, 4);
        b.put(mechanism);
        b.put((byte) 0).put(new byte[31]);
        return b.array();
    }

    /**
     * @param socketType the Socket-Type property, such as {@code DEALER}
     * @return a READY command frame (short form)
     */
    public static byte[] ready(String socketType) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(5);
        body.writeBytes("READY".getBytes(StandardCharsets.US_ASCII));
        byte[] name = "Socket-Type".getBytes(StandardCharsets.US_ASCII);
        byte[] value = socketType.getBytes(StandardCharsets.US_ASCII);
        body.write(name.length);
        body.writeBytes(name);
        body.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
        body.writeBytes(value);
        return shortFrame(0x04, body.toByteArray());
    }

    /** @return a short frame: flags, one size byte, body (at most 255 bytes) */
    public static byte[] shortFrame(int flags, byte[] body) {
        if (body.length > 255) {
            throw new IllegalArgumentException("short frames carry at most 255 bytes");
        }
        byte[] f = new byte[2 + body.length];
        f[0] = (byte) flags;
        f[1] = (byte) body.length;
        System.arraycopy(body, 0, f, 2, body.length);
        return f;
    }

    /**
     * @param more whether the MORE flag is set
     * @param declaredSize the 64-bit size field, sent as is (it may lie: negative, huge)
     * @return the header of a long frame: flags with the LARGE bit, then the 8-byte size
     */
    public static byte[] longFrameHeader(boolean more, long declaredSize) {
        return ByteBuffer.allocate(9).put((byte) (0x02 | (more ? 0x01 : 0))).putLong(declaredSize).array();
    }

    /** Sends the greeting and a READY announcing {@code socketType}. */
    public RawZmtp handshake(String socketType) {
        return send(greeting()).send(ready(socketType));
    }

    /** Sends raw bytes and flushes. */
    public RawZmtp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A frame read from the peer. */
    public record Frame(boolean more, boolean command, byte[] body) {
    }

    /** Reads exactly {@code n} bytes. */
    public byte[] readExactly(int n) {
        byte[] b = new byte[n];
        int got = 0;
        try {
            while (got < n) {
                int r = in.read(b, got, n - got);
                if (r < 0) {
                    throw new UncheckedIOException(new IOException("connection closed after " + got + " of " + n
                            + " bytes"));
                }
                got += r;
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one ZMTP 3.0 frame (short or long). */
    public Frame readFrame() {
        int flags = readExactly(1)[0] & 0xff;
        long size = (flags & 0x02) != 0 ? ByteBuffer.wrap(readExactly(8)).getLong() : readExactly(1)[0] & 0xff;
        if (size < 0 || size > 1 << 24) {
            throw new IllegalStateException("peer declared a frame of " + size + " bytes");
        }
        return new Frame((flags & 0x01) != 0, (flags & 0x04) != 0, readExactly((int) size));
    }

    /**
     * A complete REQ-style handshake: sends the greeting and a READY for {@code socketType}, then reads the peer's
     * greeting and its READY command.
     */
    public RawZmtp handshakeAndRead(String socketType) {
        handshake(socketType);
        byte[] greeting = readExactly(64);
        if ((greeting[0] & 0xff) != 0xff || greeting[9] != 0x7f) {
            throw new IllegalStateException("not a ZMTP greeting");
        }
        Frame ready = readFrame();
        if (!ready.command()) {
            throw new IllegalStateException("expected the peer's READY command");
        }
        return this;
    }

    /** Sends a multipart message as short frames: every part but the last has the MORE flag. */
    public RawZmtp sendMessage(byte[]... parts) {
        for (int i = 0; i < parts.length; i++) {
            send(shortFrame(i < parts.length - 1 ? 0x01 : 0x00, parts[i]));
        }
        return this;
    }

    /** Reads one multipart message (data frames up to the first without MORE); commands are skipped. */
    public java.util.List<byte[]> readMessage() {
        java.util.List<byte[]> parts = new java.util.ArrayList<>();
        while (true) {
            Frame f = readFrame();
            if (f.command()) {
                continue;
            }
            parts.add(f.body());
            if (!f.more()) {
                return parts;
            }
        }
    }

    /** @param millis socket read timeout for the blocking reads */
    public RawZmtp readTimeout(int millis) {
        try {
            socket.setSoTimeout(millis);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends bytes one at a time, pausing {@code pauseMillis} between them (a slow trickle). */
    public RawZmtp trickle(byte[] bytes, long pauseMillis) throws InterruptedException {
        for (byte b : bytes) {
            send(new byte[] {b});
            Thread.sleep(pauseMillis); // the point of a trickle is wall-clock spacing, not synchronisation
        }
        return this;
    }

    /**
     * Reads until the server closes the connection or the timeout passes.
     *
     * @return {@code true} if the server closed the connection (EOF or reset) within {@code millis}
     */
    public boolean closedByServerWithin(int millis) {
        try {
            socket.setSoTimeout(millis);
            byte[] buf = new byte[4096];
            long deadline = System.nanoTime() + millis * 1_000_000L;
            while (System.nanoTime() < deadline) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
