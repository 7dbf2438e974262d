package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * A steady stream that fills a service's queue past the overload threshold and drains it, again and again, is one
 * overload episode for the log: every crossing reaches the listener, the WARN line at most once per 10 s. (The
 * remote-tell benchmark's receiver used to log "may overload" many times a second.)
 */
@Timeout(60)
class OverloadWarningTest {
    /** A service of its own class, so its logger (the service class's) can be captured alone. */
    static final class Gated implements Service {
        final AtomicReference<CountDownLatch> entered = new AtomicReference<>();
        final AtomicReference<CountDownLatch> release = new AtomicReference<>();

        @Override
        public void onMessage(Context ctx, Message msg) throws Exception {
            if ("gate".equals(msg.payload())) {
                entered.get().countDown();
                release.get().await();
            } else if (msg.isRequest()) {
                ctx.reply("ok");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldLogOneWarningForAnEpisodeOfRepeatedOverloads(Dispatcher d) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(Gated.class);
        List<String> logged = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel() == Level.WARN) {
                    logged.add(e.getFormattedMessage());
                }
            }
        };
        appender.start();
        logger.addAppender(appender);
        Level before = logger.getLevel();
        logger.setLevel(Level.WARN); // the test configuration logs only errors
        logger.setAdditive(false); // capture only; keep the build output quiet
        AtomicInteger crossings = new AtomicInteger();
        Gated gated = new Gated();
        try (Node node = Node.builder().dispatcher(d).pooledWorkers(2).listener(new NodeListener() {
            @Override
            public void onOverload(Handle service, int queueLength) {
                crossings.incrementAndGet();
            }
        }).start()) {
            Handle h = node.spawn(() -> gated);
            int rounds = 4;
            for (int round = 0; round < rounds; round++) {
                // Hold the handler, queue past the threshold, then let it drain. Whether the driver saw the queue
                // empty before the next round (which resets the threshold to 1,024) is a race, so each round goes
                // past the highest threshold it could face: 1,024 × 2^round. As in Skynet the length is checked
                // when the driver takes a message, so it is the length left behind that message: 1,024 × 2^round
                // tells and a request queue behind the first tell.
                gated.entered.set(new CountDownLatch(1));
                gated.release.set(new CountDownLatch(1));
                node.send(h, "gate");
                assertTrue(gated.entered.get().await(10, TimeUnit.SECONDS));
                for (int i = 0; i <= 1024 << round; i++) {
                    node.send(h, i);
                }
                CompletableFuture<Object> sync = node.ask(h, "sync", Duration.ofSeconds(10)).toCompletableFuture();
                gated.release.get().countDown();
                assertEquals("ok", sync.get(10, TimeUnit.SECONDS));
            }
            assertEquals(rounds, crossings.get(), "every crossing reaches the listener");
            assertEquals(1, logged.size(), logged.toString());
            assertThat(logged.get(0), containsString("may overload, message queue length = 1025"));
            ServiceStats s = node.stats(h).orElseThrow();
            int last = (1024 << (rounds - 1)) + 1;
            assertTrue(s.queueHighWater() >= last && s.queueHighWater() <= last + 1, s.toString());
            assertEquals(0, s.queueLength());
            node.stop(h);
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
            logger.setAdditive(true);
        }
    }
}
