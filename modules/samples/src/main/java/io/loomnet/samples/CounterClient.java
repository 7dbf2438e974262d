package io.loomnet.samples;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import io.loomnet.CallException;
import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.Terminated;
import io.loomnet.launcher.ModuleArgs;
import io.loomnet.launcher.ModuleContext;
import io.loomnet.launcher.ServiceModule;
import io.loomnet.launcher.ServiceSpec;

/**
 * Calls a service by name, typically on another node ({@code counter@2}), every {@code interval}, and logs the
 * answer. It survives the other node's restart:
 * <ul>
 *   <li>it looks the name up and watches the handle it gets;</li>
 *   <li>on {@link Terminated} (reason {@code NODE_UNREACHABLE} when the node is lost) or a failed call it drops
 *   the handle, and the next tick looks the name up again, until the node is back. A handle is never reused
 *   across a restart: a restarted node hands out the same sequence numbers again (docs/cluster.md).</li>
 * </ul>
 * Only one attempt runs at a time: the next tick is scheduled when an attempt ends.
 *
 * <p>Requests it answers: {@code "subscribe"} (the sender then receives every {@link Event}; it is dropped when
 * it terminates) and {@code "status"} (a one-line summary).
 *
 * <p>Also the {@code counter-client} service module: {@code target=<name>} (required, for example
 * {@code counter@2}), {@code interval-ms=1000}, {@code timeout-ms=1000}.
 */
public final class CounterClient implements Service {
    /** What happened to an attempt, as sent to subscribers. */
    public enum Kind {
        /** The name resolved; {@code detail} is the handle. */
        FOUND,
        /** The call answered; {@code detail} is the answer. */
        ANSWER,
        /** The lookup found nothing or the call failed; {@code detail} says why. The next tick looks up again. */
        FAILED,
        /** The watched handle terminated; {@code detail} is the reason, e.g. {@code NODE_UNREACHABLE: ...}. */
        LOST
    }

    /**
     * One outcome, sent to subscribers.
     *
     * @param kind what happened
     * @param detail the handle, answer or reason
     */
    public record Event(Kind kind, String detail) {
    }

    private enum Tick {
        TICK
    }

    private final String target;
    private final Duration interval;
    private final Duration timeout;
    private final Set<Handle> subscribers = new LinkedHashSet<>();
    private Handle handle;
    private boolean failing;
    private long answers;
    private long failures;
    private long lost;

    /**
     * @param target the name to call, e.g. {@code counter@2}
     * @param interval time between the end of one attempt and the next
     * @param timeout how long a call may take
     */
    public CounterClient(String target, Duration interval, Duration timeout) {
        this.target = target;
        this.interval = interval;
        this.timeout = timeout;
    }

    @Override
    public void onStart(Context ctx) {
        ctx.log().info("calling {} every {} ms", target, interval.toMillis());
        ctx.send(ctx.self(), Tick.TICK);
    }

    @Override
    public void onMessage(Context ctx, Message msg) {
        switch (msg.payload()) {
            case Tick t -> {
                attempt(ctx);
                ctx.timeout(interval, Tick.TICK);
            }
            case Terminated t when t.service().equals(handle) -> {
                handle = null;
                lost++;
                failing = true;
                ctx.log().warn("lost {} ({}: {}); looking it up again every {} ms", target, t.reason(), t.detail(),
                        interval.toMillis());
                publish(ctx, Kind.LOST, t.reason() + ": " + t.detail());
            }
            case Terminated t -> subscribers.remove(t.service());
            case String s when msg.isRequest() && s.equals("subscribe") -> {
                subscribers.add(msg.source());
                ctx.watch(msg.source());
                ctx.reply("subscribed");
            }
            case String s when msg.isRequest() && s.equals("status") -> ctx.reply(status());
            default -> {
                if (msg.isRequest()) {
                    ctx.reply("unknown request; try \"status\" or \"subscribe\"");
                }
            }
        }
    }

    private void attempt(Context ctx) {
        Handle h = handle;
        if (h == null) {
            Optional<Handle> found = ctx.lookup(target);
            if (found.isEmpty()) {
                fail(ctx, "no service named " + target + " (is its node up?)");
                return;
            }
            h = found.get();
            handle = h;
            ctx.watch(h);
            ctx.log().info("found {} at {}", target, h);
            publish(ctx, Kind.FOUND, h.toString());
        }
        try {
            Object answer = ctx.call(h, "next", timeout);
            answers++;
            if (failing) {
                failing = false;
                ctx.log().info("{} is back", target);
            }
            ctx.log().info("{} answered {}", target, answer);
            publish(ctx, Kind.ANSWER, String.valueOf(answer));
        } catch (CallException e) {
            ctx.unwatch(h);
            if (h.equals(handle)) {
                handle = null;
            }
            fail(ctx, e.getMessage());
        }
    }

    private void fail(Context ctx, String why) {
        failures++;
        if (!failing) {
            failing = true;
            ctx.log().warn("{} failed: {}; retrying every {} ms", target, why, interval.toMillis());
        } else {
            ctx.log().debug("{} still failing: {}", target, why);
        }
        publish(ctx, Kind.FAILED, why);
    }

    private void publish(Context ctx, Kind kind, String detail) {
        Event e = new Event(kind, detail);
        for (Handle s : subscribers) {
            ctx.send(s, e);
        }
    }

    private String status() {
        return "target=" + target + " handle=" + (handle == null ? "-" : handle) + " answers=" + answers
                + " failures=" + failures + " lost=" + lost;
    }

    /** The {@code counter-client} module. Thread-safe (stateless). */
    public static final class Module implements ServiceModule {
        /** Called by {@link java.util.ServiceLoader}. */
        public Module() {
        }

        @Override
        public String name() {
            return "counter-client";
        }

        @Override
        public String description() {
            return "sample: calls target=<name[@node]> every interval-ms=1000 (timeout-ms=1000), retrying by name";
        }

        @Override
        public ServiceSpec create(ModuleContext context) {
            // Defaults and meanings: loomnet.modules.counter-client in this library's reference.conf.
            ModuleArgs args = context.args();
            String target = args.required("target");
            Duration interval = Duration.ofMillis(args.integer("interval-ms", 10, 3_600_000));
            Duration timeout = Duration.ofMillis(args.integer("timeout-ms", 10, 3_600_000));
            return ServiceSpec.of(() -> new CounterClient(target, interval, timeout));
        }
    }
}
