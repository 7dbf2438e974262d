package io.loomnet.transport.zmq.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a gateway. Immutable and thread-safe.
 *
 * @param callTimeout how long a call may take before the client gets a {@code timeout} error; positive
 * @param maxPayloadBytes the largest accepted payload frame; larger ones get a {@code payload too large} error
 * @param maxTargetBytes the longest accepted target frame, in bytes
 * @param maxInFlight calls in progress at once per gateway; beyond it requests get a {@code busy} error
 */
public record GatewayConfig(Duration callTimeout, int maxPayloadBytes, int maxTargetBytes, int maxInFlight) {
    /** Default call timeout: 5 s. */
    public static final Duration CALL_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
    /** Default payload limit: 1 MiB. */
    public static final int MAX_PAYLOAD_BYTES_DEFAULT = 1 << 20;
    /** Default target limit: 256 bytes. */
    public static final int MAX_TARGET_BYTES_DEFAULT = 256;
    /** Default in-flight limit: 10000 calls. */
    public static final int MAX_IN_FLIGHT_DEFAULT = 10_000;

    /** Validates every limit and names the one that is wrong. */
    public GatewayConfig {
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException("maxPayloadBytes must not be negative, was " + maxPayloadBytes);
        }
        if (maxTargetBytes < 1) {
            throw new IllegalArgumentException("maxTargetBytes must be positive, was " + maxTargetBytes);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be positive, was " + maxInFlight);
        }
    }

    /** @return the defaults */
    public static GatewayConfig defaults() {
        return new GatewayConfig(CALL_TIMEOUT_DEFAULT, MAX_PAYLOAD_BYTES_DEFAULT, MAX_TARGET_BYTES_DEFAULT,
                MAX_IN_FLIGHT_DEFAULT);
    }

    /** @param d the call timeout @return a copy with it */
    public GatewayConfig withCallTimeout(Duration d) {
        return new GatewayConfig(d, maxPayloadBytes, maxTargetBytes, maxInFlight);
    }

    /** @param bytes the payload limit @return a copy with it */
    public GatewayConfig withMaxPayloadBytes(int bytes) {
        return new GatewayConfig(callTimeout, bytes, maxTargetBytes, maxInFlight);
    }

    /** @param calls the in-flight limit @return a copy with it */
    public GatewayConfig withMaxInFlight(int calls) {
        return new GatewayConfig(callTimeout, maxPayloadBytes, maxTargetBytes, calls);
    }
}
