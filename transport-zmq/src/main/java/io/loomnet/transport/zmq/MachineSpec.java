package io.loomnet.transport.zmq;

import java.time.Duration;
import java.util.Objects;

/**
 * What to build for a machine: its endpoint, its worker and the limits of its lifecycle. Immutable and
 * thread-safe; build with {@link #builder(String, MachineWorker)}.
 */
public final class MachineSpec {
    /** Default for {@link Builder#startTimeout(Duration)}: 5 s. */
    public static final Duration START_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
    /** Default for {@link Builder#bindTimeout(Duration)}: 2 s of retrying an endpoint that is still in use. */
    public static final Duration BIND_TIMEOUT_DEFAULT = Duration.ofSeconds(2);
    /** Default for {@link Builder#stopTimeout(Duration)}: 1 s for the whole monitor → proxy → delete sequence. */
    public static final Duration STOP_TIMEOUT_DEFAULT = Duration.ofSeconds(1);
    /** Default for {@link Builder#heartbeatInterval(Duration)}: 1 s ZMTP heartbeats, 3 s timeout. */
    public static final Duration HEARTBEAT_INTERVAL_DEFAULT = Duration.ofSeconds(1);

    private final String endpoint;
    private final MachineWorker worker;
    private final int workerThreads;
    private final Duration startTimeout;
    private final Duration bindTimeout;
    private final Duration stopTimeout;
    private final Duration heartbeatInterval;
    private final long maxMessageBytes;
    private final int highWaterMark;
    private final java.util.function.Consumer<org.zeromq.ZMQ.Socket> frontendOptions;

    private MachineSpec(Builder b) {
        this.endpoint = b.endpoint;
        this.worker = b.worker;
        this.workerThreads = b.workerThreads;
        this.startTimeout = b.startTimeout;
        this.bindTimeout = b.bindTimeout;
        this.stopTimeout = b.stopTimeout;
        this.heartbeatInterval = b.heartbeatInterval;
        this.maxMessageBytes = b.maxMessageBytes;
        this.highWaterMark = b.highWaterMark;
        this.frontendOptions = b.frontendOptions;
    }

    /** @return extra options applied to the frontend ROUTER on the proxy thread before it binds */
    public java.util.function.Consumer<org.zeromq.ZMQ.Socket> frontendOptions() {
        return frontendOptions;
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

    /** @return the number of worker loop threads */
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

    /** @return the ZMTP heartbeat interval on the frontend, or zero when heartbeats are off */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** @return the largest message the frontend accepts ({@code ZMQ_MAXMSGSIZE}), or -1 for no limit */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /** @return the send and receive high-water mark of the frontend and backend, in messages per peer */
    public int highWaterMark() {
        return highWaterMark;
    }

    @Override
    public String toString() {
        return "MachineSpec[endpoint=" + endpoint + ", workerThreads=" + workerThreads + ", stopTimeout="
                + stopTimeout + "]";
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
        private long maxMessageBytes = -1;
        private int highWaterMark = 1000;
        private java.util.function.Consumer<org.zeromq.ZMQ.Socket> frontendOptions = s -> { };

        private Builder(String endpoint, MachineWorker worker) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!endpoint.startsWith("tcp://")) {
                throw new IllegalArgumentException("endpoint must be tcp://host:port, was '" + endpoint + "'");
            }
            this.endpoint = endpoint;
            this.worker = Objects.requireNonNull(worker, "worker");
        }

        /**
         * @param n worker loop threads, 1 to 64 (default 1)
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
         * @param d ZMTP heartbeat interval; the timeout is three intervals; {@link Duration#ZERO} turns them off
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
         * @param bytes largest accepted message, positive, or -1 for no limit (default); a peer that sends a
         *        larger message is disconnected by ZeroMQ
         * @return this builder
         */
        public Builder maxMessageBytes(long bytes) {
            if (bytes != -1 && bytes < 1) {
                throw new IllegalArgumentException("maxMessageBytes must be positive or -1, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * @param messages high-water mark per peer, positive (default 1000)
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
         * Extra socket options for the frontend ROUTER (for example CURVE server keys and a ZAP domain). Called
         * once per machine incarnation, on the proxy thread that owns the socket, after Loomnet's own options and
         * before bind. It must only set options: never keep the socket or use it from another thread.
         *
         * @param options sets options on the socket
         * @return this builder
         */
        public Builder frontendOptions(java.util.function.Consumer<org.zeromq.ZMQ.Socket> options) {
            this.frontendOptions = Objects.requireNonNull(options, "options");
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
