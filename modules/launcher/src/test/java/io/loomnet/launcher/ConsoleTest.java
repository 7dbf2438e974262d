package io.loomnet.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.testkit.LoomnetExtension;
import io.loomnet.testkit.Probe;

/** The console over a real loopback socket: every command, bad input, rude clients, and clean release. */
@Timeout(30)
class ConsoleTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Consoles are left for the node's close to stop: that is the ordered path this also tests. */
    @RegisterExtension
    static final LoomnetExtension LOOMNET = LoomnetExtension.builder().allowServicesLeftRunning().build();

    private static InetSocketAddress console(Node node, Handle h) {
        return (InetSocketAddress) node.call(h, ListenerQuery.LOCAL_ADDRESS, WAIT);
    }

    private static Handle launch(Node node, String... args) {
        return Launcher.create().launch(node, "console", "console", List.of(args));
    }

    @Test
    void shouldBindToLoopbackByDefaultAndGreet(Node node) throws IOException {
        InetSocketAddress at = console(node, launch(node, "port=0"));
        assertTrue(at.getAddress().isLoopbackAddress(), at.toString());
        try (LineClient c = new LineClient(at)) {
            assertThat(c.readLine(), startsWith("Welcome to the Loomnet console on node " + node.id()));
            List<String> help = c.command("help");
            assertThat(help, hasItem(startsWith("launch <module>")));
            assertEquals("<CMD OK>", help.get(help.size() - 1));
        }
    }

    @Test
    void shouldListStatInfoAndMem(Node node) throws IOException {
        Handle console = launch(node, "port=0");
        Handle worker = node.spawn(() -> (ctx, msg) -> ctx.reply(msg.payload()),
                ServiceOptions.defaults().withName("worker"));
        // spawn returns before onStart has run; an answered call proves the worker is RUNNING and its queue empty
        assertEquals("ready", node.call(worker, "ready", WAIT));
        try (LineClient c = new LineClient(console(node, console))) {
            c.readLine();
            List<String> list = c.command("list");
            assertThat(list, hasItem(startsWith(console + "  console")));
            assertThat(list, hasItem(allOf(startsWith(worker + "  worker"), containsString("RUNNING"),
                    containsString("queue=0"))));
            assertThat(c.command("stat"), hasItem("node-id " + node.id()));
            List<String> info = c.command("info " + worker);
            assertThat(info, hasItem("name worker"));
            assertThat(info, hasItem("state RUNNING"));
            assertThat(c.command("info worker"), hasItem("handle " + worker));
            List<String> mem = c.command("mem");
            assertThat(mem.get(0), startsWith("heap used="));
            assertThat(mem.get(1), startsWith("threads jvm-platform="));
            assertEquals("<CMD OK>", mem.get(2));
        }
    }

    private static org.hamcrest.Matcher<String> allOf(org.hamcrest.Matcher<String> a,
            org.hamcrest.Matcher<String> b,
                                                      org.hamcrest.Matcher<String> c) {
        return org.hamcrest.Matchers.allOf(a, b, c);
    }

    @Test
    void shouldKillAndLaunch(Node node) throws IOException {
        Probe probe = Probe.create(node);
        Handle victim = node.spawn(() -> (ctx, msg) -> { });
        try (LineClient c = new LineClient(console(node, launch(node, "port=0")))) {
            c.readLine();
            assertThat(c.command("kill " + victim), contains("killed " + victim, "<CMD OK>"));
            probe.expectTerminated(victim, WAIT);
            List<String> launched = c.command("launch logger level=debug");
            assertThat(launched.get(0), startsWith("launched logger as :"));
            Handle logger = Handle.parse(launched.get(0).substring(launched.get(0).lastIndexOf(' ') + 1));
            assertTrue(node.stats(logger).isPresent());
        }
    }

    @Test
    void shouldAnswerBadInputWithOneErrorLine(Node node) throws IOException {
        try (LineClient c = new LineClient(console(node, launch(node, "port=0")))) {
            c.readLine();
            assertThat(c.command("frobnicate"), contains("<CMD Error> unknown command 'frobnicate'; try help"));
            // Control bytes of bad input are escaped in the echo, never sent back raw to the client's terminal.
            assertThat(c.command("fr\u007fob\u0000"), contains("<CMD Error> unknown command 'fr\\x7fob'; try help"));
            assertThat(c.command("info a\u001b[2J\u0000b\\x"), contains(startsWith(
                    "<CMD Error> no service named 'a\\e[2J\\x00b\\\\x'")));
            assertThat(c.command("info"), contains("<CMD Error> usage: info <handle|name>"));
            assertThat(c.command("info :zz:1"), contains(startsWith("<CMD Error> not a handle: ':zz:1'")));
            assertThat(c.command("info nobody"), contains(startsWith("<CMD Error> no service named 'nobody'")));
            Handle gone = Handle.of(node.id(), 999_999);
            assertThat(c.command("kill " + gone), contains("<CMD Error> service " + gone
                    + " is unknown or already stopping"));
            assertThat(c.command("stat now"), contains("<CMD Error> usage: stat"));
            assertThat(c.command("launch"), contains(startsWith("<CMD Error> usage: launch <module>")));
            assertThat(c.command("launch nosuch"), contains("<CMD Error> no service module named 'nosuch'; "
                    + "known modules: console, gate, logger, test-echo"));
            assertThat(c.command("launch console port=99999"), contains("<CMD Error> module 'console': port: "
                    + "expected an integer in 0..65535, was '99999'"));
            assertThat(c.command("launch logger oops"), contains("<CMD Error> module 'logger': 'oops': "
                    + "expected key=value"));
            // Still serving after all that.
            assertThat(c.command("stat"), hasItem("node-id " + node.id()));
        }
    }

    @Test
    void shouldCloseAConnectionThatSendsAnOverlongLine(Node node) throws IOException {
        try (LineClient c = new LineClient(console(node, launch(node, "port=0", "max-line=32")))) {
            c.readLine();
            c.send("x".repeat(200_000)); // mostly unread when the console closes: the error line must survive
            assertEquals("<CMD Error> command longer than 32 bytes; closing", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void shouldSurviveClientsThatLeaveMidCommand(Node node) throws IOException {
        InetSocketAddress at = console(node, launch(node, "port=0"));
        for (int i = 0; i < 5; i++) {
            LineClient rude = new LineClient(at);
            rude.sendRaw("list".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // no newline
            rude.socket.setSoLinger(true, 0); // reset, not FIN
            rude.close();
            LineClient leaver = new LineClient(at);
            leaver.send("list");
            leaver.close(); // before reading the answer
        }
        try (LineClient c = new LineClient(at)) {
            c.readLine();
            assertThat(c.command("stat"), hasItem("node-id " + node.id()));
        }
    }

    @Test
    void shouldRefuseConnectionsBeyondTheLimit(Node node) throws IOException {
        InetSocketAddress at = console(node, launch(node, "port=0", "max-connections=1"));
        try (LineClient first = new LineClient(at); LineClient second = new LineClient(at)) {
            first.readLine();
            assertEquals("<CMD Error> too many console connections (max 1)", second.readLine());
            assertTrue(second.closedByServer());
        }
    }

    @Test
    void shouldReleaseItsPortWhenKilledFromItself(Node node) throws IOException {
        Handle console = launch(node, "port=0");
        InetSocketAddress at = console(node, console);
        Probe probe = Probe.create(node);
        probe.watch(console);
        try (LineClient c = new LineClient(at)) {
            c.readLine();
            c.send("kill console");
            probe.expectTerminated(console, WAIT);
        }
        try (ServerSocket again = new ServerSocket(at.getPort(), 1, at.getAddress())) {
            assertEquals(at.getPort(), again.getLocalPort());
        }
    }

    @Test
    void shouldFailTheLaunchWhenThePortIsTaken(Node node) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            LaunchException e = assertThrows(LaunchException.class,
                    () -> launch(node, "port=" + taken.getLocalPort()));
            assertThat(e.getMessage(), allOf(containsString("module 'console'"), containsString("failed to start"),
                    containsString("cannot listen on 127.0.0.1:" + taken.getLocalPort())));
        }
    }

    @Test
    void shouldRequireAnExplicitPort() {
        ModuleArgumentException e = assertThrows(ModuleArgumentException.class,
                () -> Launcher.create().spec("console", List.of()));
        assertThat(e.getMessage(), startsWith("module 'console': port: required argument is missing"));
    }
}
