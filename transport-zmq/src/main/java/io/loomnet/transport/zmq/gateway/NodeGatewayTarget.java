package io.loomnet.transport.zmq.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import io.loomnet.CallTimeoutException;
import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceUnavailableException;

/**
 * A {@link GatewayTarget} that calls services of a Loomnet {@link Node}: the target is a local name, a
 * {@code name@node} on a linked node, or a printed handle; the request payload reaches the service as a
 * {@code byte[]}; the service must reply with a {@code byte[]} or a {@code String} (sent as UTF-8).
 *
 * <p>Failures map onto the gateway's error kinds: an unknown name, or a handle with no live service, is
 * {@code unknown target}; a call timeout is {@code timeout}; anything else (the handler threw, replied with
 * another type, returned without replying) is {@code handler failure}.
 *
 * <p>Thread-safe; never blocks the gateway's loop, except that a {@code name@node} lookup asks the other node.
 */
public final class NodeGatewayTarget implements GatewayTarget {
    private final Node node;

    /** @param node the node whose services the gateway exposes */
    public NodeGatewayTarget(Node node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    @Override
    public CompletionStage<byte[]> call(String target, byte[] payload, Duration timeout) {
        Optional<Handle> handle = node.lookup(target);
        if (handle.isEmpty()) {
            return CompletableFuture.failedFuture(new UnknownTargetException(target));
        }
        return node.ask(handle.get(), payload, timeout).handle((reply, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof ServiceUnavailableException) {
                    throw new CompletionException(new UnknownTargetException(target));
                }
                if (cause instanceof CallTimeoutException) {
                    throw new CompletionException(new TimeoutException(cause.getMessage()));
                }
                throw new CompletionException(cause);
            }
            if (reply instanceof byte[] bytes) {
                return bytes;
            }
            if (reply instanceof String s) {
                return s.getBytes(StandardCharsets.UTF_8);
            }
            throw new CompletionException(new IllegalStateException("service '" + target + "' replied with "
                    + (reply == null ? "null" : reply.getClass().getName()) + "; the gateway needs byte[] or String"));
        });
    }
}
