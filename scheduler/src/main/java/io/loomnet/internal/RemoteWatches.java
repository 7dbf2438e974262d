package io.loomnet.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import io.loomnet.Handle;

/**
 * Which local services watch which services on other nodes. The transport tells the watched node; this table is
 * what lets a node that is lost (down or left) be reported to its watchers here at once, without the lost node's
 * help, and what a {@code Terminated} that did arrive from the other node clears.
 *
 * <p>Threading: every method from any thread (a concurrent map of concurrent sets). A watch and a node loss racing
 * each other may notify the watcher once or not add it; a watcher never gets two notices from this table.
 */
final class RemoteWatches {
    private final ConcurrentHashMap<Handle, Set<Handle>> byTarget = new ConcurrentHashMap<>();

    void add(Handle remoteTarget, Handle localWatcher) {
        byTarget.computeIfAbsent(remoteTarget, t -> ConcurrentHashMap.newKeySet()).add(localWatcher);
    }

    void remove(Handle remoteTarget, Handle localWatcher) {
        Set<Handle> ws = byTarget.get(remoteTarget);
        if (ws != null) {
            ws.remove(localWatcher);
            if (ws.isEmpty()) {
                byTarget.remove(remoteTarget, ws);
            }
        }
    }

    /**
     * Takes every watch of a service on {@code node} out of the table and hands each target with its watchers to
     * {@code notify}; a target is handed out once even if the node is lost twice.
     */
    void takeNode(int node, BiConsumer<Handle, Set<Handle>> notify) {
        for (Map.Entry<Handle, Set<Handle>> e : byTarget.entrySet()) {
            Handle target = e.getKey();
            if (target.node() == node && byTarget.remove(target, e.getValue())) {
                notify.accept(target, e.getValue());
            }
        }
    }
}
