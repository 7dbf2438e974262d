package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The one call API: typed and untyped {@code call} and {@code ask}, by handle and by name, on {@link Node} and
 * {@link Context}; a reply of the wrong type fails with a {@link CallFailedException} that says what was
 * expected, what came, from whom and with which timeout.
 */
@Timeout(60)
class TypedCallTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** What the caller service should do: a call or an ask, to a Handle or a String name. */
    record Op(boolean ask, Object target, String request, Class<?> type) {
    }

    /** What came of it, inside the service. */
    record Outcome(Object value, Throwable error) {
    }

    private static Node node(Dispatcher d) {
        return Node.builder().dispatcher(d).pooledWorkers(2).closeTimeout(Duration.ofSeconds(5)).start();
    }

    /** Replies 42 (an Integer) to "int", "text" to "str", and null to "null". */
    private static Handle numbers(Node node) {
        return node.spawn(() -> (ctx, msg) -> {
            switch ((String) msg.payload()) {
                case "int" -> ctx.reply(42);
                case "null" -> ctx.reply(null);
                default -> ctx.reply("text");
            }
        }, ServiceOptions.defaults().withName("numbers"));
    }

    /** Performs an {@link Op} with its own Context and replies with the {@link Outcome}. */
    private static Handle caller(Node node) {
        return node.spawn(() -> (ctx, msg) -> {
            Op op = (Op) msg.payload();
            if (op.ask()) {
                ReplyToken token = ctx.replyToken();
                CompletionStage<?> stage;
                if (op.type() == null) {
                    stage = op.target() instanceof Handle h ? ctx.ask(h, op.request(), SECOND)
                            : ctx.ask((String) op.target(), op.request(), SECOND);
                } else {
                    stage = op.target() instanceof Handle h ? ctx.ask(h, op.request(), op.type(), SECOND)
                            : ctx.ask((String) op.target(), op.request(), op.type(), SECOND);
                }
                stage.whenComplete((r, e) -> token.reply(new Outcome(r, e)));
                return;
            }
            try {
                Object r;
                if (op.type() == null) {
                    r = op.target() instanceof Handle h ? ctx.call(h, op.request(), SECOND)
                            : ctx.call((String) op.target(), op.request(), SECOND);
                } else {
                    r = op.target() instanceof Handle h ? ctx.call(h, op.request(), op.type(), SECOND)
                            : ctx.call((String) op.target(), op.request(), op.type(), SECOND);
                }
                ctx.reply(new Outcome(r, null));
            } catch (CallException e) {
                ctx.reply(new Outcome(null, e));
            }
        });
    }

    private static Outcome run(Node node, Handle caller, Op op) {
        return node.call(caller, op, Outcome.class, WAIT);
    }

    private static void assertWrongType(Throwable e, Handle target, String expected, String actual) {
        assertThat(e, instanceOf(CallFailedException.class));
        assertThat(e.getMessage(), allOf(containsString(target.toString()), containsString(expected),
                containsString("but got a " + actual), containsString("timeout 1000 ms")));
        assertEquals(target, ((CallException) e).target());
        assertEquals(SECOND, ((CallException) e).timeout());
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException || e instanceof ExecutionException ? e.getCause() : e;
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void nodeCallAndAskAreTypedByHandleAndByName(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            Handle numbers = numbers(node);
            Integer byHandle = node.call(numbers, "int", Integer.class, SECOND);
            int primitive = node.call(numbers, "int", int.class, SECOND);
            Number supertype = node.call("numbers", "int", Number.class, SECOND);
            assertEquals(42, byHandle);
            assertEquals(42, primitive);
            assertEquals(42, supertype);
            assertEquals("text", node.call("numbers", "str", SECOND));
            assertNull(node.call(numbers, "null", Integer.class, SECOND), "a null reply passes any type");
            assertEquals("text", node.call(numbers.toString(), "str", String.class, SECOND));

            CompletionStage<Integer> asked = node.ask(numbers, "int", Integer.class, SECOND);
            assertEquals(42, asked.toCompletableFuture().get(10, TimeUnit.SECONDS));
            CompletionStage<String> askedByName = node.ask("numbers", "str", String.class, SECOND);
            assertEquals("text", askedByName.toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertEquals("text", node.ask("numbers", "str", SECOND).toCompletableFuture().get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void nodeReplyOfTheWrongTypeFailsNamingBothTypes(Dispatcher d) {
        try (Node node = node(d)) {
            Handle numbers = numbers(node);
            assertWrongType(assertThrows(CallFailedException.class,
                    () -> node.call(numbers, "str", Integer.class, SECOND)), numbers, "java.lang.Integer",
                    "java.lang.String");
            CallFailedException byName = assertThrows(CallFailedException.class,
                    () -> node.call("numbers", "int", String.class, SECOND));
            assertWrongType(byName, numbers, "java.lang.String", "java.lang.Integer");
            assertThat(byName.getMessage(), containsString("'numbers'"));

            ExecutionException asked = assertThrows(ExecutionException.class,
                    () -> node.ask(numbers, "str", Integer.class, SECOND).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertWrongType(asked.getCause(), numbers, "java.lang.Integer", "java.lang.String");
            ExecutionException askedByName = assertThrows(ExecutionException.class,
                    () -> node.ask("numbers", "str", Integer.class, SECOND).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertWrongType(askedByName.getCause(), numbers, "java.lang.Integer", "java.lang.String");

            // the service is fine afterwards: the failure is the caller's, not the target's
            assertEquals(42, node.call(numbers, "int", Integer.class, SECOND));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void nodeUnknownNameFailsNamingIt(Dispatcher d) {
        try (Node node = node(d)) {
            ServiceUnavailableException called = assertThrows(ServiceUnavailableException.class,
                    () -> node.call("nobody", "q", Integer.class, SECOND));
            assertThat(called.getMessage(), containsString("no service named 'nobody' on node " + node.id()));
            ExecutionException asked = assertThrows(ExecutionException.class,
                    () -> node.ask("nobody", "q", String.class, SECOND).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertThat(asked.getCause(), instanceOf(ServiceUnavailableException.class));
            assertThrows(IllegalArgumentException.class, () -> node.call("numbers", "q", Duration.ZERO));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void contextCallAndAskAreTypedByHandleAndByName(Dispatcher d) {
        try (Node node = node(d)) {
            Handle numbers = numbers(node);
            Handle caller = caller(node);
            for (boolean ask : new boolean[] {false, true}) {
                for (Object target : new Object[] {numbers, "numbers"}) {
                    String what = (ask ? "ask" : "call") + " to " + target;
                    Outcome typed = run(node, caller, new Op(ask, target, "int", Integer.class));
                    assertNull(typed.error(), what);
                    assertEquals(42, typed.value(), what);
                    Outcome untyped = run(node, caller, new Op(ask, target, "str", null));
                    assertNull(untyped.error(), what);
                    assertEquals("text", untyped.value(), what);
                    Outcome primitive = run(node, caller, new Op(ask, target, "int", int.class));
                    assertEquals(42, primitive.value(), what);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void contextReplyOfTheWrongTypeFailsNamingBothTypes(Dispatcher d) {
        try (Node node = node(d)) {
            Handle numbers = numbers(node);
            Handle caller = caller(node);
            for (boolean ask : new boolean[] {false, true}) {
                for (Object target : new Object[] {numbers, "numbers"}) {
                    Outcome o = run(node, caller, new Op(ask, target, "str", Integer.class));
                    assertNull(o.value());
                    Throwable e = cause(o.error());
                    assertWrongType(e, numbers, "java.lang.Integer", "java.lang.String");
                    assertThat(e.getMessage(), containsString("call from " + caller));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void contextUnknownNameFailsNamingIt(Dispatcher d) {
        try (Node node = node(d)) {
            Handle caller = caller(node);
            for (boolean ask : new boolean[] {false, true}) {
                Outcome o = run(node, caller, new Op(ask, "nobody", "q", String.class));
                Throwable e = cause(o.error());
                assertThat(e, instanceOf(ServiceUnavailableException.class));
                assertThat(e.getMessage(), allOf(containsString("'nobody'"), containsString("call from " + caller)));
            }
        }
    }
}
