package io.loomnet.transport.zmq;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to build for a machine: its endpoint, its worker and the limits of its lifecycle. Immutable and
 * thread-safe; build with {@link #builder(String, MachineWorker)}.
 *
 * <p>With one worker thread (the default) the machine's single loop owns the ROUTER and calls the worker itself;
 * with more, a steerable proxy loop spreads requests over the worker loops (see {@code docs/architecture.md}).
 */
public final class MachineSpec {
    /** Default for {@link Builder#startTimeout(Duration)}: 5 s. */
    public static final Duration START_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
    /** Default for {@link Builder#bindTimeout(Duration)}: 2 s of retrying an endpoint that is still in use. */
    public static final Duration BIND_TIMEOUT_DEFAULT = Duration.ofSeconds(2);
    /** Default for {@link Builder#stopTimeout(Duration)}: 1 s for the whole monitor → proxy → delete sequence. */
    public static final Duration STOP_TIMEOUT_DEFAULT = Duration.ofSeconds(1);
    /**
     * Default for {@link Builder#heartbeatInterval(Duration)}: off. JeroMQ 0.6.0's ZMTP heartbeat timers can outlive
     * the connection they belong to (see {@code docs/decisions/0008-one-zeromq-context-per-machine.md}); dead
     * clients are found by TCP keepalive instead ({@link Builder#tcpKeepAliveIdle(Duration)}).
     */
    public static final Duration HEARTBEAT_INTERVAL_DEFAULT = Duration.ZERO;
    /** Default for {@link Builder#handshakeTimeout(Duration)}: a connection must finish its ZMTP greeting in 10 s. */
    public static final Duration HANDSHAKE_TIMEOUT_DEFAULT = Duration.ofSeconds(10);
    /** Default for {@link Builder#tcpKeepAliveIdle(Duration)}: probe an idle connection after 60 s. */
    public static final Duration TCP_KEEPALIVE_IDLE_DEFAULT = Duration.ofSeconds(60);
    /** Default for {@link Builder#maxMessageBytes(int)}: 8 MiB. */
    public static final int MAX_MESSAGE_BYTES_DEFAULT = 8 << 20;
    /** The largest {@link Builder#maxMessageBytes(int)}: JeroMQ allocates a frame as one Java array. */
    public static final int MAX_MESSAGE_BYTES_LIMIT = Integer.MAX_VALUE - 16;
    /** Default for {@link Builder#highWaterMark(int)}: 1000 messages per peer. */
    public static final int HIGH_WATER_MARK_DEFAULT = 1000;
    /** Default for {@link Builder#replyHighWaterMark(int)}: 10000 replies queued per client. */
    public static final int REPLY_HIGH_WATER_MARK_DEFAULT = 10_000;

    /**
     * CURVE server settings of a machine's frontend: its key pair and the client keys it lets in. The machine runs
     * its own ZAP handler for the allow-list.
     *
     * @param publicKey the server's public key (32 bytes)
     * @param secretKey the server's secret key (32 bytes)
     * @param allowedClientKeysZ85 the clients' public keys, Z85-encoded
     */
    public record CurveServer(byte[] publicKey, byte[] secretKey, Set<String> allowedClientKeysZ85) {
        /** Validates and copies. */
        public CurveServer {
            if (publicKey == null || publicKey.length != 32 || secretKey == null || secretKey.length != 32) {
                throw new IllegalArgumentException("CURVE keys must be 32 bytes each");
            }
            publicKey = publicKey.clone();
            secretKey = secretKey.clone();
            allowedClientKeysZ85 = Set.copyOf(allowedClientKeysZ85);
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public byte[] secretKey() {
            return secretKey.clone();
        }

        @Override
        public String toString() {
            return "CurveServer[" + allowedClientKeysZ85.size() + " allowed client keys]";
        }
    }

    private final String endpoint;
    private final MachineWorker worker;
    private final int workerThreads;
    private final Duration startTimeout;
    private final Duration bindTimeout;
    private final Duration stopTimeout;
    private final Duration heartbeatInterval;
    private final Duration handshakeTimeout;
    private final Duration tcpKeepAliveIdle;
    private final int maxMessageBytes;
    private final int highWaterMark;
    private final int replyHighWaterMark;
    private final CurveServer curveServer;

    private MachineSpec(Builder b) {
        this.endpoint = b.endpoint;
        this.worker = b.worker;
        this.workerThreads = b.workerThreads;
        this.startTimeout = b.startTimeout;
        this.bindTimeout = b.bindTimeout;
        this.stopTimeout = b.stopTimeout;
        this.heartbeatInterval = b.heartbeatInterval;
        this.handshakeTimeout = b.handshakeTimeout;
        this.tcpKeepAliveIdle = b.tcpKeepAliveIdle;
        this.maxMessageBytes = b.maxMessageBytes;
        this.highWaterMark = b.highWaterMark;
        this.replyHighWaterMark = b.replyHighWaterMark;
        this.curveServer = b.curveServer;
    }

    /**
     * Starts a specification.
     *
     * @param endpoint the TCP endpoint to bind, such as {@code tcp://127.0.0.1:5555}, or {@code tcp://127.0.0.1:*}
     *        for a free port (read the result with {@link Machine#endpoint()})
     * @param worker the worker side; see {@link MachineWorker} for its threading contract
     * @return a builder with the defaults
     */
    public static Builder builder(String endpoint, MachineWorker worker) {
        return new Builder(endpoint, worker);
    }

    /** @return the endpoint to bind, as given */
    public String endpoint() {
        return endpoint;
    }

    /** @return the worker side */
    public MachineWorker worker() {
        return worker;
    }

    /** @return the number of worker loop threads; one means the frontend loop calls the worker itself */
    public int workerThreads() {
        return workerThreads;
    }

    /** @return how long {@link MachineManager#create(String, MachineSpec)} waits for the machine to start */
    public Duration startTimeout() {
        return startTimeout;
    }

    /** @return how long binding retries an endpoint that is still in use (a just-closed port) */
    public Duration bindTimeout() {
        return bindTimeout;
    }

    /** @return the deadline of the machine's scope: how long destroying it may take */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    /** @return the ZMTP heartbeat interval on the frontend, or zero when heartbeats are off (the default) */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** @return how long a new connection may take to finish its ZMTP handshake before it is dropped */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** @return how long a connection may be idle before TCP keepalive probes it */
    public Duration tcpKeepAliveIdle() {
        return tcpKeepAliveIdle;
    }

    /**
     * @return the largest message frame the frontend accepts; a larger declared size (or a negative one) is
     *         refused before anything is allocated
     */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * @return the high-water mark of the queues requests pass through: each client's incoming queue on the
     *         frontend, and the backend and worker queues of a proxy machine, in messages per peer
     */
    public int highWaterMark() {
        return highWaterMark;
    }

    /**
     * @return how many replies may wait for one client on the frontend; a reply beyond that (a client that has
     *         stopped reading) is dropped and counted in {@link MachineStats#droppedReplies()}
     */
    public int replyHighWaterMark() {
        return replyHighWaterMark;
    }

    /** @return the CURVE server settings, if the frontend encrypts and authenticates */
    public Optional<CurveServer> curveServer() {
        return Optional.ofNullable(curveServer);
    }

    @Override
    public String toString() {
        return "MachineSpec[endpoint=" + endpoint + ", workerThreads=" + workerThreads + ", maxMessageBytes="
                + maxMessageBytes + ", stopTimeout=" + stopTimeout + (curveServer == null ? "" : ", CURVE") + "]";
    }

    /** Fluent builder; not thread-safe. Every setter validates its argument and names it in the exception. */
    public static final class Builder {
        private final String endpoint;
        private final MachineWorker worker;
        private int workerThreads = 1;
        private Duration startTimeout = START_TIMEOUT_DEFAULT;
        private Duration bindTimeout = BIND_TIMEOUT_DEFAULT;
        private Duration stopTimeout = STOP_TIMEOUT_DEFAULT;
        private Duration heartbeatInterval = HEARTBEAT_INTERVAL_DEFAULT;
        private Duration handshakeTimeout = HANDSHAKE_TIMEOUT_DEFAULT;
        private Duration tcpKeepAliveIdle = TCP_KEEPALIVE_IDLE_DEFAULT;
        private int maxMessageBytes = MAX_MESSAGE_BYTES_DEFAULT;
        private int highWaterMark = HIGH_WATER_MARK_DEFAULT;
        private int replyHighWaterMark = REPLY_HIGH_WATER_MARK_DEFAULT;
        private CurveServer curveServer;

        private Builder(String endpoint, MachineWorker worker) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!endpoint.startsWith("tcp://")) {
                throw new IllegalArgumentException("endpoint must be tcp://host:port, was '" + endpoint + "'");
            }
            this.endpoint = endpoint;
            this.worker = Objects.requireNonNull(worker, "worker");
        }

        /**
         * @param n worker loop threads, 1 to 64 (default 1: the frontend loop calls the worker, one thread hop)
         * @return this builder
         */
        public Builder workerThreads(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("workerThreads must be 1..64, was " + n);
            }
            this.workerThreads = n;
            return this;
        }

        /**
         * @param d start timeout, positive (default {@link #START_TIMEOUT_DEFAULT})
         * @return this builder
         */
        public Builder startTimeout(Duration d) {
            this.startTimeout = positive("startTimeout", d);
            return this;
        }

        /**
         * @param d bind retry timeout, zero or positive (default {@link #BIND_TIMEOUT_DEFAULT})
         * @return this builder
         */
        public Builder bindTimeout(Duration d) {
            Objects.requireNonNull(d, "bindTimeout");
            if (d.isNegative()) {
                throw new IllegalArgumentException("bindTimeout must not be negative, was " + d);
            }
            this.bindTimeout = d;
            return this;
        }

        /**
         * @param d stop deadline, positive (default {@link #STOP_TIMEOUT_DEFAULT})
         * @return this builder
         */
        public Builder stopTimeout(Duration d) {
            this.stopTimeout = positive("stopTimeout", d);
            return this;
        }

        /**
         * @param d ZMTP heartbeat interval; the timeout is three intervals; {@link Duration#ZERO} (the default)
         *        turns them off
         * @return this builder
         */
        public Builder heartbeatInterval(Duration d) {
            Objects.requireNonNull(d, "heartbeatInterval");
            if (d.isNegative()) {
                throw new IllegalArgumentException("heartbeatInterval must not be negative, was " + d);
            }
            this.heartbeatInterval = d;
            return this;
        }

        /**
         * @param d how long a connection may take to finish its handshake, positive (default 10 s)
         * @return this builder
         */
        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = positive("handshakeTimeout", d);
            if (d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("handshakeTimeout must fit in an int of milliseconds, was " + d);
            }
            return this;
        }

        /**
         * @param d idle time before TCP keepalive probes a connection, at least one second (default 60 s)
         * @return this builder
         */
        public Builder tcpKeepAliveIdle(Duration d) {
            Objects.requireNonNull(d, "tcpKeepAliveIdle");
            if (d.toSeconds() < 1) {
                throw new IllegalArgumentException("tcpKeepAliveIdle must be at least 1 s, was " + d);
            }
            this.tcpKeepAliveIdle = d;
            return this;
        }

        /**
         * @param bytes largest accepted message frame, 1 to {@link #MAX_MESSAGE_BYTES_LIMIT} (default 8 MiB); a peer
         *        that declares a larger frame is disconnected by ZeroMQ, or (for sizes JeroMQ's own check misses)
         *        has the frame refused by the machine's guard
         * @return this builder
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1 || bytes > MAX_MESSAGE_BYTES_LIMIT) {
                throw new IllegalArgumentException("maxMessageBytes must be 1.." + MAX_MESSAGE_BYTES_LIMIT + ", was "
                        + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * @param messages high-water mark of the request queues per peer (see {@link #highWaterMark()}), positive
         *        (default 1000)
         * @return this builder
         */
        public Builder highWaterMark(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("highWaterMark must be positive, was " + messages);
            }
            this.highWaterMark = messages;
            return this;
        }

        /**
         * @param replies replies queued per client before further ones are dropped, positive (default 10000)
         * @return this builder
         */
        public Builder replyHighWaterMark(int replies) {
            if (replies < 1) {
                throw new IllegalArgumentException("replyHighWaterMark must be positive, was " + replies);
            }
            this.replyHighWaterMark = replies;
            return this;
        }

        /**
         * Makes the frontend a CURVE server that lets in only the given client keys (checked by the machine's own
         * ZAP handler, in the machine's own ZeroMQ context).
         *
         * @param curve the server keys and the allow-list
         * @return this builder
         */
        public Builder curveServer(CurveServer curve) {
            this.curveServer = Objects.requireNonNull(curve, "curve");
            return this;
        }

        /** @return the immutable specification */
        public MachineSpec build() {
            return new MachineSpec(this);
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
