package io.loomnet.scope;

import java.util.List;

/**
 * What happened when a {@link Scope} closed: the order in which its entries stopped, what did not stop
 * by the deadline, and the failures raised while stopping.
 *
 * @param scope the scope's name
 * @param stopped entries that stopped, as {@code stage/name}, in the order they stopped
 * @param notStopped entries still running at the deadline, as {@code stage/name}, with a thread's stack where known
 * @param failures exceptions thrown by stoppers, in the order they were raised
 * @param elapsedNanos how long closing took
 */
public record CloseReport(String scope, List<String> stopped, List<String> notStopped, List<Throwable> failures,
                          long elapsedNanos) {
    /** Defensive copies: a report is immutable and may be read from any thread. */
    public CloseReport {
        stopped = List.copyOf(stopped);
        notStopped = List.copyOf(notStopped);
        failures = List.copyOf(failures);
    }

    /** @return {@code true} if everything stopped in time and nothing failed */
    public boolean clean() {
        return notStopped.isEmpty() && failures.isEmpty();
    }

    /** @return the failures as one exception with the rest suppressed, or {@code null} if there were none */
    public ScopeCloseException toException() {
        if (clean()) {
            return null;
        }
        ScopeCloseException e = new ScopeCloseException(this);
        failures.forEach(e::addSuppressed);
        return e;
    }

    @Override
    public String toString() {
        return "scope '" + scope + "' closed in " + elapsedNanos / 1_000_000 + " ms; stopped " + stopped
                + (notStopped.isEmpty() ? "" : "; NOT stopped " + notStopped)
                + (failures.isEmpty() ? "" : "; failures " + failures);
    }
}
