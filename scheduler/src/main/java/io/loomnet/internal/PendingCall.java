package io.loomnet.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

import io.loomnet.CallCancelledException;
import io.loomnet.CallException;
import io.loomnet.CallFailedException;
import io.loomnet.CallTimeoutException;
import io.loomnet.Handle;
import io.loomnet.internal.timer.TimingWheel;

/**
 * One outstanding {@code call}, {@code ask} or {@code sleep}, keyed by its session in the node's pending table.
 * Completed exactly once (first of: reply, error, timeout, cancellation) by any thread; the completing
 * thread wakes the blocked handler or completes the future. A reply that loses the race finds no entry
 * and is counted as late.
 */
final class PendingCall {
    private static final AtomicIntegerFieldUpdater<PendingCall> STATE =
            AtomicIntegerFieldUpdater.newUpdater(PendingCall.class, "state");

    final long session;
    /** The calling service, or {@code null} for calls from outside any service. */
    final ServiceCell caller;
    final Handle callerHandle;
    final Handle target;
    /** The name the caller used to find {@link #target}, or {@code null} if it called a handle. */
    final String targetName;
    final String requestType;
    /** The reply's required class (primitives boxed), or {@code null} if any reply will do. */
    final Class<?> replyType;
    final Duration timeout;
    /** Set for blocking calls: the handler thread to unpark. */
    final Thread waiter;
    /** Set for asks. */
    final CompletableFuture<Object> future;
    /** {@code true} for sleeps: the timeout is the normal outcome. */
    final boolean sleep;

    private volatile int state;
    private Object result;
    private CallException failure;
    volatile TimingWheel.Timeout timer;

    PendingCall(long session, ServiceCell caller, Handle callerHandle, Handle target, String targetName,
                String requestType, Class<?> replyType, Duration timeout, Thread waiter,
                CompletableFuture<Object> future, boolean sleep) {
        this.session = session;
        this.caller = caller;
        this.callerHandle = callerHandle;
        this.target = target;
        this.targetName = targetName;
        this.requestType = requestType;
        this.replyType = replyType;
        this.timeout = timeout;
        this.waiter = waiter;
        this.future = future;
        this.sleep = sleep;
    }

    /**
     * Completes the call. Only the first completion counts. A reply that is not a {@link #replyType} completes
     * the call with a {@link CallFailedException} instead: the one place typed calls and asks are checked.
     *
     * @param value the reply (when {@code error} is null)
     * @param error the failure, or {@code null}
     * @return {@code true} if this completion won
     */
    boolean complete(Object value, CallException error) {
        if (!STATE.compareAndSet(this, 0, 1)) {
            return false;
        }
        if (error == null && value != null && replyType != null && !replyType.isInstance(value)) {
            error = new CallFailedException(describe() + " failed: expected a reply of type " + replyType.getName()
                    + " but got a " + value.getClass().getName(), target, requestType, timeout);
            value = null;
        }
        result = value;
        failure = error;
        TimingWheel.Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
        state = 2; // publishes result/failure to the waiter's volatile read
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
        if (future != null) {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(value);
            }
        }
        return true;
    }

    boolean isDone() {
        return state != 0;
    }

    /**
     * Blocks the calling (waiter) thread until completion. An interrupt cancels the call and is re-asserted.
     */
    void awaitDone() {
        while (state != 2) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                complete(null, new CallCancelledException(describe() + " was interrupted", target, requestType,
                        timeout));
                Thread.currentThread().interrupt();
                while (state != 2) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** @return whether a completion (reply, failure, timeout or cancel) has begun or ended */
    boolean isComplete() {
        return state != 0;
    }

    /**
     * @return the reply, once complete
     * @throws CallException the failure
     */
    Object result() {
        awaitDone();
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    /** @return the failure to report when the timer fires */
    CallException timeoutFailure() {
        return new CallTimeoutException(describe() + " timed out after " + timeout.toMillis()
                + " ms with no reply", target, requestType, timeout);
    }

    String describe() {
        return sleep ? "sleep of " + callerHandle
                : "call from " + callerHandle + " to " + (targetName == null ? "" : "'" + targetName + "' ") + target
                + " (request " + requestType + (replyType == null ? "" : ", reply " + replyType.getName())
                + ", timeout " + timeout.toMillis() + " ms, session " + session + ")";
    }
}
