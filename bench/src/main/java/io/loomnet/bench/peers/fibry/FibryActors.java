package io.loomnet.bench.peers.fibry;

import eu.lucaventuri.fibry.Actor;
import eu.lucaventuri.fibry.ActorSystem;
import eu.lucaventuri.fibry.CreationStrategy;
import eu.lucaventuri.fibry.PartialActor;
import io.loomnet.bench.api.Failures;

/**
 * How the bench creates Fibry actors: anonymous, {@link CreationStrategy#FIBER} (one virtual thread
 * per actor), Fibry's default unbounded queue. Fibry logs and swallows handler exceptions, so
 * handlers here record them in the run's {@link Failures} instead.
 */
final class FibryActors {
    /** A handler; {@code self} lets it stop itself with {@code self.askExit()}. */
    interface Handler {
        void receive(Object message, PartialActor<Object, Void> self) throws Exception;
    }

    private FibryActors() {
    }

    /**
     * Starts an actor; {@code onStop} (may be null) runs on the actor's thread once it has
     * processed its last message.
     */
    static Actor<Object, Void, Void> spawn(Failures failures, Handler handler, Runnable onStop) {
        return ActorSystem.anonymous().strategy(CreationStrategy.FIBER)
                .<Void>initialState(null, null, s -> {
                    if (onStop != null) {
                        onStop.run();
                    }
                })
                .newActor((Object m, PartialActor<Object, Void> self) -> {
                    try {
                        handler.receive(m, self);
                    } catch (Throwable t) {
                        failures.record(t);
                    }
                });
    }
}
