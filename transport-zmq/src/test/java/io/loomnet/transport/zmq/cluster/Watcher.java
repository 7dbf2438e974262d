package io.loomnet.transport.zmq.cluster;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.Service;
import io.loomnet.Terminated;

/** A service that watches one (usually remote) service and queues the {@link Terminated} notices it is sent. */
final class Watcher {
    private final Handle handle;
    private final BlockingQueue<Terminated> notices = new LinkedBlockingQueue<>();

    private Watcher(Node node, Handle target) {
        this.handle = node.spawn(() -> new Service() {
            @Override
            public void onStart(Context ctx) {
                ctx.watch(target);
            }

            @Override
            public void onMessage(Context ctx, Message msg) {
                if (msg.payload() instanceof Terminated t) {
                    notices.add(t);
                } else if (msg.isRequest()) {
                    ctx.reply("watching");
                }
            }
        });
    }

    /** Spawns a watcher of {@code target} on {@code node} and returns once its watch has been sent. */
    static Watcher of(Node node, Handle target) {
        Watcher w = new Watcher(node, target);
        Object answer = node.call(w.handle, "sync", Duration.ofSeconds(10));
        if (!"watching".equals(answer)) {
            throw new AssertionError("watcher answered " + answer);
        }
        return w;
    }

    Handle handle() {
        return handle;
    }

    /** @return the next notice, or {@code null} if none came within {@code timeout} */
    Terminated next(Duration timeout) throws InterruptedException {
        return notices.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
