package io.loomnet.internal;

import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.ReplyToken;

/**
 * A {@link ReplyToken}: the answer to one request, owed by its service and given later, from any thread. Exactly
 * one of {@link #reply}, {@link #fail} and the service's stop (which fails every open token with
 * {@code UNAVAILABLE}) answers the caller; the others return {@code false}.
 *
 * <p>Threading: any thread. {@code done} and the cell's set of open tokens change together under the cell's
 * {@code lifeLock}.
 */
final class DeferredReply implements ReplyToken {
    private final ServiceCell cell;
    final Message request;
    private boolean done; // cell.lifeLock

    DeferredReply(ServiceCell cell, Message request) {
        this.cell = cell;
        this.request = request;
    }

    /** @return {@code true} if this call is the one that answers (and the token is forgotten by its cell) */
    boolean claim() {
        cell.lifeLock.lock();
        try {
            if (done) {
                return false;
            }
            done = true;
            cell.forgetToken(this);
            return true;
        } finally {
            cell.lifeLock.unlock();
        }
    }

    @Override
    public boolean reply(Object payload) {
        if (!claim()) {
            return false;
        }
        cell.sendReply(request, payload);
        return true;
    }

    @Override
    public boolean fail(String message) {
        if (!claim()) {
            return false;
        }
        cell.failDeferred(request, message);
        return true;
    }

    @Override
    public Handle caller() {
        return request.source();
    }

    @Override
    public boolean isDone() {
        cell.lifeLock.lock();
        try {
            return done;
        } finally {
            cell.lifeLock.unlock();
        }
    }
}
