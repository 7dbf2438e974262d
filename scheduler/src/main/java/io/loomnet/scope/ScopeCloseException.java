package io.loomnet.scope;

import io.loomnet.LoomnetException;

/** Raised by {@link Scope#closeOrThrow()} when something did not stop or failed; stopper failures are suppressed. */
public final class ScopeCloseException extends LoomnetException {
    private static final long serialVersionUID = 1L;
    private final transient CloseReport report;

    ScopeCloseException(CloseReport report) {
        super(report.toString());
        this.report = report;
    }

    /** @return the full report of the close */
    public CloseReport report() {
        return report;
    }
}
