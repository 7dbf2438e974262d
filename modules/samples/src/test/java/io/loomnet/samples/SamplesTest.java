package io.loomnet.samples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.typesafe.config.ConfigFactory;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.launcher.Launcher;
import io.loomnet.launcher.LauncherConfig;
import io.loomnet.launcher.ListenerQuery;
import io.loomnet.scope.CloseReport;
import io.loomnet.testkit.LiveThreads;
import io.loomnet.testkit.LoomnetExtension;

/** Runs each sample: ping-pong, the chat room from code, and chat.conf as ./loomnet run would. */
@Timeout(60)
class SamplesTest {
    @RegisterExtension
    static final LoomnetExtension LOOMNET = LoomnetExtension.builder().allowServicesLeftRunning().build();

    /** A chat client: one socket, line reads time out after 10 s. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(InetSocketAddress at) throws IOException {
            socket = new Socket("127.0.0.1", at.getPort());
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        void say(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String hear() throws IOException {
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void shouldPlayPingPong(Node node) throws Exception {
        PingPong.Result r = PingPong.play(node, 10_000);
        assertEquals(10_000, r.rounds());
        assertTrue(r.roundTripsPerSecond() > 0);
    }

    @Test
    void shouldRunPingPongMain() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PingPong.main(new String[] {"1000"});
        } finally {
            System.setOut(old);
        }
        assertThat(out.toString(StandardCharsets.UTF_8), startsWith("ping-pong: 1000 round trips in "));
    }

    @Test
    void shouldChatBetweenTwoClients(Node node) throws IOException {
        chat(Chat.start(node, 0));
    }

    @Test
    void shouldRunChatConfLikeTheLauncher() throws IOException {
        int id = LoomnetExtension.freshNodeId();
        LauncherConfig config = LauncherConfig.load(Path.of("chat.conf"), Launcher.create(),
                ConfigFactory.parseMap(Map.of("chat-port", 0, "console-port", 0, "loomnet.node-id", id)));
        assertEquals(List.of("logger", "chat-room", "gate", "console"),
                config.services().stream().map(LauncherConfig.ServiceEntry::module).toList());
        Node node = config.start();
        try {
            Handle gate = node.lookup("gate").orElseThrow();
            chat((InetSocketAddress) node.call(gate, ListenerQuery.LOCAL_ADDRESS, Duration.ofSeconds(5)));
        } finally {
            CloseReport report = node.shutdown();
            assertTrue(report.clean(), report.toString());
        }
        assertEquals(List.of(), LiveThreads.named("loomnet-" + id + "-"));
    }

    private static void chat(InetSocketAddress at) throws IOException {
        try (Client ann = new Client(at)) {
            assertThat(ann.hear(), startsWith("* welcome, guest"));
            ann.say("/nick ann");
            assertEquals("* guest1 is now ann", ann.hear().replaceAll("guest\\d+", "guest1"));
            try (Client bob = new Client(at)) {
                assertThat(bob.hear(), containsString("1 other(s) here"));
                assertThat(ann.hear(), containsString(" joined"));
                bob.say("/nick bob");
                assertEquals("* is now bob", ann.hear().replaceAll("guest\\d+ ", ""));
                assertEquals("* is now bob", bob.hear().replaceAll("guest\\d+ ", ""));
                bob.say("hello ann");
                assertEquals("<bob> hello ann", ann.hear());
                ann.say("/who");
                assertEquals("* here: ann bob", ann.hear());
                bob.say("/quit");
                assertEquals("* bye", bob.hear());
                assertEquals(null, bob.hear());
                assertEquals("* bob left", ann.hear());
            }
        }
    }
}
