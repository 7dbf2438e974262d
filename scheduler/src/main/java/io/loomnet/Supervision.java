package io.loomnet;

import java.time.Duration;
import java.util.Objects;

/**
 * What happens when a service's handler throws. Failures are always reported to the parent as a
 * {@link ChildFailed} system message and a pending request always gets an error reply; the policy decides
 * what happens to the service. Immutable.
 *
 * <ul>
 *   <li>{@link #resume()} (default, Skynet's behaviour): log and go on with the next message.</li>
 *   <li>{@link #stop()}: stop the service.</li>
 *   <li>{@link #restart(int, Duration, Duration, Duration)}: replace the instance with a fresh one from the
 *   factory after an exponential backoff; the mailbox, handle, names and children are kept; more than
 *   {@code maxRestarts} restarts within {@code window} stop the service instead. The short forms
 *   {@link #restart()} and {@link #restart(int, Duration)} fill in the defaults below.</li>
 * </ul>
 * A failure of the first {@code onStart} always stops the service.
 *
 * <p><b>Restart defaults</b>, the one place they are defined:
 * <table>
 *   <caption>Defaults of the short {@code restart} forms</caption>
 *   <tr><th>Setting</th><th>Default</th><th>Used by</th></tr>
 *   <tr><td>{@code maxRestarts}</td><td>{@link #DEFAULT_MAX_RESTARTS} (3)</td><td>{@link #restart()}</td></tr>
 *   <tr><td>{@code window}</td><td>{@link #DEFAULT_WINDOW} (1 minute)</td><td>{@link #restart()}</td></tr>
 *   <tr><td>{@code minBackoff}</td><td>{@link #DEFAULT_MIN_BACKOFF} (100 ms)</td><td>{@link #restart()},
 *       {@link #restart(int, Duration)}</td></tr>
 *   <tr><td>{@code maxBackoff}</td><td>{@link #DEFAULT_MAX_BACKOFF} (5 s)</td><td>{@link #restart()},
 *       {@link #restart(int, Duration)}</td></tr>
 * </table>
 *
 * <p>Thread-safe: immutable, and every factory method may be called from any thread.
 */
public final class Supervision {
    /** The policy kinds. */
    public enum Kind {
        /** Keep going with the same instance. */
        RESUME,
        /** Replace the instance with a fresh one. */
        RESTART,
        /** Stop the service. */
        STOP
    }

    /** Restarts allowed within the window by {@link #restart()}: 3. */
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** The restart counting window of {@link #restart()}: 1 minute. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    /** The first backoff of {@link #restart()} and {@link #restart(int, Duration)}: 100 ms. */
    public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(100);
    /** The largest backoff of {@link #restart()} and {@link #restart(int, Duration)}: 5 s. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

    private static final Supervision RESUME = new Supervision(Kind.RESUME, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    private static final Supervision STOP = new Supervision(Kind.STOP, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    private final Kind kind;
    private final int maxRestarts;
    private final Duration window;
    private final Duration minBackoff;
    private final Duration maxBackoff;

    private Supervision(Kind kind, int maxRestarts, Duration window, Duration minBackoff, Duration maxBackoff) {
        this.kind = kind;
        this.maxRestarts = maxRestarts;
        this.window = window;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** @return log the failure and continue with the next message */
    public static Supervision resume() {
        return RESUME;
    }

    /** @return stop the service on failure */
    public static Supervision stop() {
        return STOP;
    }

    /**
     * A restart policy with every setting at its default: {@link #DEFAULT_MAX_RESTARTS} restarts within
     * {@link #DEFAULT_WINDOW}, backoff from {@link #DEFAULT_MIN_BACKOFF} doubling up to {@link #DEFAULT_MAX_BACKOFF}.
     *
     * @return a restart policy
     */
    public static Supervision restart() {
        return restart(DEFAULT_MAX_RESTARTS, DEFAULT_WINDOW);
    }

    /**
     * A restart policy with the default backoff: from {@link #DEFAULT_MIN_BACKOFF} doubling up to
     * {@link #DEFAULT_MAX_BACKOFF}.
     *
     * @param maxRestarts restarts allowed within {@code window} before the service is stopped instead (≥ 1)
     * @param window the sliding window over which restarts are counted (positive)
     * @return a restart policy
     * @throws IllegalArgumentException if {@code maxRestarts < 1} or {@code window} is not positive
     */
    public static Supervision restart(int maxRestarts, Duration window) {
        return restart(maxRestarts, window, DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF);
    }

    /**
     * @param maxRestarts restarts allowed within {@code window} before the service is stopped instead (≥ 1)
     * @param window the sliding window over which restarts are counted
     * @param minBackoff delay before the first restart; doubles with each restart in the window
     * @param maxBackoff the largest delay
     * @return a restart policy
     */
    public static Supervision restart(int maxRestarts, Duration window, Duration minBackoff, Duration maxBackoff) {
        if (maxRestarts < 1) {
            throw new IllegalArgumentException("maxRestarts must be at least 1, was " + maxRestarts);
        }
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(minBackoff, "minBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (window.isNegative() || window.isZero() || minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("restart needs window > 0 and 0 <= minBackoff <= maxBackoff; was window="
                    + window + ", minBackoff=" + minBackoff + ", maxBackoff=" + maxBackoff);
        }
        return new Supervision(Kind.RESTART, maxRestarts, window, minBackoff, maxBackoff);
    }

    /** @return the policy kind */
    public Kind kind() {
        return kind;
    }

    /** @return restarts allowed per window (RESTART only) */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** @return the restart counting window (RESTART only) */
    public Duration window() {
        return window;
    }

    /** @return the first backoff (RESTART only) */
    public Duration minBackoff() {
        return minBackoff;
    }

    /** @return the largest backoff (RESTART only) */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * @param restartsInWindow restarts already made within the window
     * @return the backoff before the next restart: {@code minBackoff * 2^restartsInWindow}, capped
     */
    public Duration backoff(int restartsInWindow) {
        long nanos = minBackoff.toNanos();
        for (int i = 0; i < restartsInWindow && nanos < maxBackoff.toNanos(); i++) {
            nanos = nanos == 0 ? 0 : nanos * 2;
        }
        return Duration.ofNanos(Math.min(nanos, maxBackoff.toNanos()));
    }

    @Override
    public String toString() {
        return kind == Kind.RESTART
                ? "RESTART(max " + maxRestarts + " in " + window + ", backoff " + minBackoff + ".." + maxBackoff + ")"
                : kind.name();
    }
}
