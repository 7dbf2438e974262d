package io.loomnet.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.Service;
import io.loomnet.testkit.LoomnetExtension;
import io.loomnet.testkit.Probe;

/** Module discovery and launching. */
@Timeout(30)
@ExtendWith(LoomnetExtension.class)
class LauncherTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Found through this module's test META-INF/services, next to the built-ins. */
    public static final class EchoModule implements ServiceModule {
        @Override
        public String name() {
            return "test-echo";
        }

        @Override
        public ServiceSpec create(ModuleContext context) {
            String prefix = context.args().allowOnly("prefix").string("prefix", "");
            return ServiceSpec.of(() -> (ctx, msg) -> ctx.reply(prefix + msg.payload()));
        }
    }

    private static ServiceModule module(String name, ServiceSpec spec) {
        return new ServiceModule() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ServiceSpec create(ModuleContext context) {
                return spec;
            }
        };
    }

    @Test
    void shouldDiscoverBuiltInAndClassPathModules() {
        assertThat(Launcher.create().moduleNames(), hasItems("console", "gate", "logger", "test-echo"));
    }

    @Test
    void shouldLaunchByNameWithArguments(Node node) {
        Handle echo = Launcher.create().launch(node, "test-echo", "echo", List.of("prefix=>"));
        assertEquals(echo, node.lookup("echo").orElseThrow());
        assertEquals(">hi", node.call(echo, "hi", WAIT));
        node.stop(echo);
    }

    @Test
    void shouldListKnownModulesForAnUnknownOne() {
        UnknownModuleException e = assertThrows(UnknownModuleException.class,
                () -> Launcher.create().spec("consol", List.of()));
        assertThat(e.getMessage(), containsString("no service module named 'consol'; known modules: console, gate, "
                + "logger, test-echo"));
        assertThat(e.known(), contains("console", "gate", "logger", "test-echo"));
    }

    @Test
    void shouldNameTheBadArgument() {
        Launcher l = Launcher.create();
        assertEquals("module 'test-echo': colour: unknown argument; expected one of [prefix]",
                assertThrows(ModuleArgumentException.class, () -> l.spec("test-echo", List.of("colour=red")))
                        .getMessage());
        assertEquals("module 'test-echo': prefix: given more than once", assertThrows(ModuleArgumentException.class,
                () -> l.spec("test-echo", List.of("prefix=a", "prefix=b"))).getMessage());
        assertEquals("module 'logger': level: expected one of error, warn, info, debug, trace, was 'loud'",
                assertThrows(ModuleArgumentException.class, () -> l.spec("logger", List.of("level=loud")))
                        .getMessage());
    }

    @Test
    void shouldRejectDuplicateAndInvalidNames() {
        ServiceSpec spec = ServiceSpec.of(() -> (ctx, msg) -> { });
        assertThat(assertThrows(LaunchException.class, () -> Launcher.of(List.of(module("a", spec),
                module("a", spec)))).getMessage(), containsString("two service modules are named 'a'"));
        assertThat(assertThrows(LaunchException.class, () -> Launcher.of(List.of(module("Bad Name", spec))))
                .getMessage(), containsString("invalid name 'Bad Name'"));
    }

    @Test
    void shouldFailTheLaunchWhenTheStartSignalFails(Node node, Probe probe) {
        CompletableFuture<Object> signal = new CompletableFuture<>();
        Service failing = new Service() {
            @Override
            public void onStart(io.loomnet.Context ctx) {
                IllegalStateException e = new IllegalStateException("no database");
                signal.completeExceptionally(e);
                throw e;
            }

            @Override
            public void onMessage(io.loomnet.Context ctx, io.loomnet.Message msg) {
            }
        };
        Launcher l = Launcher.of(List.of(module("db", ServiceSpec.of(() -> failing).withStartSignal(signal))));
        LaunchException e = assertThrows(LaunchException.class, () -> l.launch(node, "db", List.of()));
        assertThat(e.getMessage(), containsString("module 'db' (service :"));
        assertThat(e.getMessage(), containsString("failed to start: java.lang.IllegalStateException: no database"));
    }

    @Test
    void shouldStopAServiceThatDoesNotSignalInTime(Node node, Probe probe) {
        CompletableFuture<Object> never = new CompletableFuture<>();
        Launcher l = Launcher.of(List.of(module("slow", ServiceSpec.of(() -> (ctx, msg) -> { })
                .withStartSignal(never)))).withStartTimeout(Duration.ofMillis(100));
        LaunchException e = assertThrows(LaunchException.class, () -> l.launch(node, "slow", List.of()));
        assertThat(e.getMessage(), containsString("did not start within PT0.1S; it was stopped"));
    }
}
