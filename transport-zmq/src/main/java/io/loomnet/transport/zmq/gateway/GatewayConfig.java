package io.loomnet.transport.zmq.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import com.typesafe.config.Config;

import io.loomnet.InvalidSettingsException;
import io.loomnet.spi.SettingsReader;

/**
 * Limits of a gateway. Immutable and thread-safe.
 *
 * @param callTimeout how long a call may take before the client gets a {@code timeout} error; positive
 * @param maxPayloadBytes the largest accepted payload frame; larger ones get a {@code payload too large} error
 * @param maxTargetBytes the longest accepted target frame, in bytes
 * @param maxInFlight calls in progress at once per gateway; beyond it requests get a {@code busy} error
 */
public record GatewayConfig(Duration callTimeout, int maxPayloadBytes, int maxTargetBytes, int maxInFlight) {
    /** Default call timeout: {@code loomnet.gateway.call-timeout} in this library's reference.conf (5 s). */
    public static final Duration CALL_TIMEOUT_DEFAULT = GatewayDefaults.REFERENCE.getDuration("call-timeout");
    /** Default payload limit: {@code loomnet.gateway.max-payload} (1 MiB). */
    public static final int MAX_PAYLOAD_BYTES_DEFAULT =
            Math.toIntExact(GatewayDefaults.REFERENCE.getBytes("max-payload"));
    /** Default target limit: {@code loomnet.gateway.max-target} (256 bytes). */
    public static final int MAX_TARGET_BYTES_DEFAULT =
            Math.toIntExact(GatewayDefaults.REFERENCE.getBytes("max-target"));
    /** Default in-flight limit: {@code loomnet.gateway.max-in-flight} (10000 calls). */
    public static final int MAX_IN_FLIGHT_DEFAULT = GatewayDefaults.REFERENCE.getInt("max-in-flight");
    /** The largest {@code max-in-flight} {@link #fromConfig} accepts. */
    public static final int MAX_IN_FLIGHT_LIMIT = 10_000_000;
    /** The keys {@link #fromConfig} reads. */
    public static final List<String> CONFIG_KEYS = List.of("call-timeout", "max-payload", "max-target",
            "max-in-flight");

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
        if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException("maxInFlight must be 1.." + MAX_IN_FLIGHT_LIMIT + ", was "
                    + maxInFlight);
        }
    }

    /**
     * The defaults with a config subtree applied over them, for example one entry of {@code loomnet.gateways}.
     * Keys: {@code call-timeout} (a positive duration), {@code max-payload}, {@code max-target} (sizes in bytes),
     * {@code max-in-flight}; defaults in {@code loomnet.gateway} of this library's {@code reference.conf}.
     *
     * @param settings the subtree; keys left out or {@code null} keep their defaults
     * @return the limits
     * @throws InvalidSettingsException listing every wrong value and unknown key, each with its key
     */
    public static GatewayConfig fromConfig(Config settings) {
        return fromConfig(settings, CONFIG_KEYS);
    }

    /**
     * {@link #fromConfig(Config)} where {@code known} keys are allowed beside the gateway's own (the launcher's
     * {@code endpoint}); those are not read.
     *
     * @param settings the subtree
     * @param known every allowed key, {@link #CONFIG_KEYS} included, in the order errors list them
     * @return the limits
     * @throws InvalidSettingsException listing every wrong value and unknown key, each with its key
     */
    public static GatewayConfig fromConfig(Config settings, List<String> known) {
        SettingsReader r = new SettingsReader(Objects.requireNonNull(settings, "settings"), known);
        GatewayConfig[] c = {defaults()};
        r.duration("call-timeout", d -> c[0] = c[0].withCallTimeout(d));
        r.bytes("max-payload", 0, Integer.MAX_VALUE, b -> c[0] = c[0].withMaxPayloadBytes(b));
        r.bytes("max-target", 1, Integer.MAX_VALUE, b -> c[0] = new GatewayConfig(c[0].callTimeout,
                c[0].maxPayloadBytes, b, c[0].maxInFlight));
        r.integer("max-in-flight", "an integer in 1.." + MAX_IN_FLIGHT_LIMIT, n -> c[0] = c[0].withMaxInFlight(n));
        r.throwIfInvalid();
        return c[0];
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
