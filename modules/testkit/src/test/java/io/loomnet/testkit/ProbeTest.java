package io.loomnet.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.Terminated;

/** Probe behaviour, run under the extension it ships with. */
@Timeout(30)
@ExtendWith(LoomnetExtension.class)
class ProbeTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration SHORT = Duration.ofMillis(100);

    record Ping(Handle replyTo, String text) {
    }

    private static Handle echo(Node node) {
        return node.spawn(() -> (ctx, msg) -> {
            if (msg.payload() instanceof Ping p) {
                ctx.send(p.replyTo(), p.text());
            }
        });
    }

    @Test
    void shouldReceiveWhatIsSentToIt(Node node, Probe probe) {
        Handle echo = echo(node);
        node.send(echo, new Ping(probe.handle(), "hi"));
        assertEquals("hi", probe.expectMessage(String.class, WAIT));
        assertEquals(echo, probe.lastMessage().source());
        probe.expectNoMessage(SHORT);
        node.stop(echo);
        probe.expectTerminated(echo, WAIT);
    }

    @Test
    void shouldNameExpectedAndActualOnMismatch(Node node, Probe probe) {
        node.send(probe.handle(), 42);
        AssertionError e = assertThrows(AssertionError.class, () -> probe.expectMessage(String.class, SHORT));
        assertThat(e.getMessage(), allOf(containsString("probe " + probe.handle()),
                containsString("java.lang.String"), containsString("java.lang.Integer 42"),
                containsString("from " + node.handle())));
    }

    @Test
    void shouldSayNothingArrivedOnTimeout(Probe probe) {
        AssertionError e = assertThrows(AssertionError.class, () -> probe.expectMessage(String.class, SHORT));
        assertThat(e.getMessage(), allOf(containsString("expected a message with a java.lang.String payload"),
                containsString("nothing arrived")));
    }

    @Test
    void shouldFailExpectNoMessageNamingTheMessage(Probe probe) {
        probe.send(probe.handle(), "surprise");
        AssertionError e = assertThrows(AssertionError.class, () -> probe.expectNoMessage(Duration.ofSeconds(2)));
        assertThat(e.getMessage(), containsString("expected no message for PT2S, but received TELL java.lang.String "
                + "surprise"));
    }

    @Test
    void shouldMatchPredicatesAndPayloads(Probe probe) {
        probe.send(probe.handle(), "abc");
        probe.send(probe.handle(), new byte[] {1, 2});
        Message m = probe.expectMessage("a 3-letter string", x -> x.payload() instanceof String s && s.length() == 3,
                WAIT);
        assertEquals("abc", m.payload());
        probe.expectPayload(new byte[] {1, 2}, WAIT);
        probe.send(probe.handle(), "abcd");
        AssertionError e = assertThrows(AssertionError.class,
                () -> probe.expectMessage("a 3-letter string", x -> ((String) x.payload()).length() == 3, WAIT));
        assertThat(e.getMessage(), containsString("expected a 3-letter string within PT5S, but received TELL "
                + "java.lang.String abcd"));
    }

    @Test
    void shouldReplyToRequests(Node node, Probe probe) throws Exception {
        var reply = node.ask(probe.handle(), "question", WAIT).toCompletableFuture();
        assertEquals("question", probe.expectMessage(String.class, WAIT));
        assertTrue(probe.lastMessage().isRequest());
        probe.reply("answer");
        assertEquals("answer", reply.get(5, TimeUnit.SECONDS));
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> probe.reply("again"));
        assertThat(twice.getMessage(), containsString("already answered"));
    }

    @Test
    void shouldAskOtherServices(Node node, Probe probe) throws Exception {
        Handle upper = node.spawn(() -> (ctx, msg) -> ctx.reply(((String) msg.payload()).toUpperCase()));
        assertEquals("HI", probe.ask(upper, "hi", WAIT).toCompletableFuture().get(5, TimeUnit.SECONDS));
        node.stop(upper);
    }

    @Test
    void shouldFailExpectTerminatedWhenAnotherMessageComesFirst(Node node, Probe probe) {
        Handle quiet = node.spawn(() -> (ctx, msg) -> { });
        probe.send(probe.handle(), "first");
        AssertionError e = assertThrows(AssertionError.class, () -> probe.expectTerminated(quiet, WAIT));
        assertThat(e.getMessage(), containsString("expected Terminated(" + quiet + ")"));
        Terminated t = probe.expectTerminated(Handle.of(node.id(), 999_999), WAIT);
        assertSame(Terminated.Reason.UNKNOWN, t.reason());
        node.stop(quiet);
    }

    @Test
    void shouldRegisterUnderANameAndStopOnClose(Node node) {
        Probe db = Probe.create(node, "db");
        assertEquals(db.handle(), node.lookup("db").orElseThrow());
        assertTrue(Probe.isProbe(db.handle()));
        db.close();
        db.close();
        assertFalse(Probe.isProbe(db.handle()));
    }
}
