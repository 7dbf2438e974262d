package io.loomnet.transport.zmq.gateway;

import io.loomnet.transport.zmq.MachineRequest;
import io.loomnet.transport.zmq.MachineWorker;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of a service gateway: validates {@code [target, payload]} requests, starts a call through the
 * {@link GatewayTarget} and answers {@code [status, body]} when the call completes, fails or times out.
 *
 * <p>Use it as the worker of a machine:
 * <pre>{@code
 * GatewayWorker gateway = new GatewayWorker(target, GatewayConfig.defaults());
 * manager.create("gateway", MachineSpec.builder("tcp://127.0.0.1:7000", gateway).build());
 * }</pre>
 *
 * <p><b>Threading.</b> {@link #onRequest(MachineRequest)} runs on the machine's worker loop thread and never
 * waits for a call: it hands the call to the target and returns. The completion (or the timeout, enforced with
 * {@link CompletableFuture#orTimeout(long, TimeUnit)}) hands the reply back to the loop, which sends it from the
 * thread that owns the socket. Every request gets exactly one reply; a result that arrives after its timeout is
 * dropped and counted. Thread-safe: one instance may serve several worker loops.
 */
public final class GatewayWorker implements MachineWorker {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayWorker.class);

    private final GatewayTarget target;
    private final GatewayConfig config;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder late = new LongAdder();

    /**
     * @param target what to call
     * @param config limits
     */
    public GatewayWorker(GatewayTarget target, GatewayConfig config) {
        this.target = Objects.requireNonNull(target, "target");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** @return the limits */
    public GatewayConfig config() {
        return config;
    }

    /** @return a snapshot of the counters; may be read from any thread */
    public GatewayStats stats() {
        return new GatewayStats(requests.sum(), ok.sum(), errors.sum(), malformed.sum(), tooLarge.sum(),
                timeouts.sum(), late.sum(), inFlight.get());
    }

    @Override
    public void onRequest(MachineRequest request) {
        requests.increment();
        List<byte[]> frames = request.frames();
        if (frames.size() != 2) {
            malformed.increment();
            error(request, GatewayProtocol.MALFORMED + ": expected 2 frames [target, payload], got " + frames.size());
            return;
        }
        byte[] targetBytes = frames.get(0);
        byte[] payload = frames.get(1);
        if (targetBytes.length == 0) {
            malformed.increment();
            error(request, GatewayProtocol.MALFORMED + ": empty target");
            return;
        }
        if (targetBytes.length > config.maxTargetBytes()) {
            malformed.increment();
            error(request, GatewayProtocol.MALFORMED + ": target is " + targetBytes.length + " bytes, limit "
                    + config.maxTargetBytes() + " bytes");
            return;
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(targetBytes)).toString();
        } catch (CharacterCodingException e) {
            malformed.increment();
            error(request, GatewayProtocol.MALFORMED + ": target is not valid UTF-8");
            return;
        }
        if (payload.length > config.maxPayloadBytes()) {
            tooLarge.increment();
            error(request, GatewayProtocol.TOO_LARGE + ": " + payload.length + " bytes for '" + name + "', limit "
                    + config.maxPayloadBytes() + " bytes");
            return;
        }
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            error(request, GatewayProtocol.BUSY + ": " + config.maxInFlight() + " calls already in flight on '"
                    + request.machineName() + "'");
            return;
        }
        CompletableFuture<byte[]> guard = new CompletableFuture<>();
        guard.orTimeout(config.callTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((reply, failure) -> complete(request, name, reply, failure));
        try {
            CompletionStage<byte[]> stage = target.call(name, payload, config.callTimeout());
            if (stage == null) {
                guard.completeExceptionally(new IllegalStateException("the gateway target returned no result"));
            } else {
                stage.whenComplete((reply, failure) -> {
                    boolean first = failure == null ? guard.complete(reply) : guard.completeExceptionally(failure);
                    if (!first) {
                        late.increment();
                    }
                });
            }
        } catch (RuntimeException e) {
            guard.completeExceptionally(e);
        }
    }

    private void complete(MachineRequest request, String name, byte[] reply, Throwable failure) {
        inFlight.decrementAndGet();
        if (failure == null) {
            ok.increment();
            send(request, List.of(GatewayProtocol.OK_FRAME, reply == null ? new byte[0] : reply));
            return;
        }
        Throwable cause = unwrap(failure);
        String message;
        if (cause instanceof UnknownTargetException) {
            message = GatewayProtocol.UNKNOWN_TARGET + ": '" + name + "'";
        } else if (cause instanceof TimeoutException) {
            timeouts.increment();
            message = GatewayProtocol.TIMEOUT + ": '" + name + "' did not reply within "
                    + config.callTimeout().toMillis() + " ms";
        } else {
            message = GatewayProtocol.HANDLER_FAILURE + ": '" + name + "': "
                    + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName());
            LOG.debug("gateway '{}': call to '{}' failed", request.machineName(), name, cause);
        }
        error(request, message);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private void error(MachineRequest request, String message) {
        errors.increment();
        send(request, List.of(GatewayProtocol.ERROR_FRAME, message.getBytes(StandardCharsets.UTF_8)));
    }

    private void send(MachineRequest request, List<byte[]> frames) {
        if (!request.reply(frames)) {
            LOG.debug("gateway '{}': reply dropped, the machine is being deleted", request.machineName());
        }
    }
}
