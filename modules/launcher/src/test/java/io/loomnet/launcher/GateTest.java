package io.loomnet.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.launcher.gate.GateClose;
import io.loomnet.launcher.gate.GateClosed;
import io.loomnet.launcher.gate.GateOpened;
import io.loomnet.launcher.gate.GatePacket;
import io.loomnet.launcher.gate.GateWrite;
import io.loomnet.testkit.LoomnetExtension;
import io.loomnet.testkit.Probe;

/** The gate over real loopback sockets, with a probe as the handler. */
@Timeout(30)
class GateTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    static final LoomnetExtension LOOMNET = LoomnetExtension.builder().allowServicesLeftRunning().build();

    private record Gate(Handle handle, InetSocketAddress address) {
    }

    private static Gate gate(Node node, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("port=0"));
        all.addAll(List.of(args));
        Handle h = Launcher.create().launch(node, "gate", all);
        return new Gate(h, (InetSocketAddress) node.call(h, ListenerQuery.LOCAL_ADDRESS, WAIT));
    }

    @Test
    void shouldDeliverLinesAndWriteRepliesBack(Node node) throws IOException {
        Probe handler = Probe.create(node, "handler");
        Gate gate = gate(node, "handler=handler");
        try (LineClient c = new LineClient(gate.address())) {
            GateOpened opened = handler.expectMessage(GateOpened.class, WAIT);
            Handle agent = handler.lastMessage().source();
            assertEquals(gate.handle(), opened.gate());
            assertEquals(c.socket.getLocalPort(), opened.remote().getPort());
            c.send("hello");
            c.sendRaw("wor".getBytes(StandardCharsets.UTF_8));
            c.sendRaw("ld\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello", handler.expectMessage(GatePacket.class, WAIT).text());
            GatePacket second = handler.expectMessage(GatePacket.class, WAIT);
            assertEquals(agent, handler.lastMessage().source());
            assertEquals(new GatePacket(opened.connection(), "world".getBytes(StandardCharsets.UTF_8)), second);
            handler.send(agent, "to the agent");
            handler.send(agent, new byte[] {'b', 'y', 't', 'e', 's'});
            handler.send(gate.handle(), GateWrite.text(opened.connection(), "through the gate"));
            assertEquals("to the agent", c.readLine());
            assertEquals("bytes", c.readLine());
            assertEquals("through the gate", c.readLine());
        }
        GateClosed closed = handler.expectMessage(GateClosed.class, WAIT);
        assertEquals("closed by client", closed.reason());
    }

    @Test
    void shouldFrameWithTwoByteLengths(Node node) throws IOException {
        Probe handler = Probe.create(node, "handler");
        Gate gate = gate(node, "handler=handler", "framing=length", "max-packet=300");
        try (Socket s = new Socket("127.0.0.1", gate.address().getPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            handler.expectMessage(GateOpened.class, WAIT);
            Handle agent = handler.lastMessage().source();
            byte[] big = new byte[300];
            big[0] = '\n'; // no line semantics in this framing
            big[299] = 7;
            out.writeShort(300);
            out.write(big);
            out.writeShort(0);
            out.flush();
            assertArrayEquals(big, handler.expectMessage(GatePacket.class, WAIT).data());
            assertEquals(0, handler.expectMessage(GatePacket.class, WAIT).data().length);
            handler.send(agent, "pong");
            assertEquals(4, in.readUnsignedShort());
            assertEquals("pong", new String(in.readNBytes(4), StandardCharsets.UTF_8));
        }
        handler.expectMessage(GateClosed.class, WAIT);
    }

    @Test
    void shouldRejectAnOversizedLengthPrefixedPacket(Node node) throws IOException {
        Probe handler = Probe.create(node, "handler");
        Gate gate = gate(node, "handler=handler", "framing=length", "max-packet=16");
        try (Socket s = new Socket("127.0.0.1", gate.address().getPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            handler.expectMessage(GateOpened.class, WAIT);
            out.writeShort(17);
            out.flush();
            int len = in.readUnsignedShort();
            assertEquals("error: packet too large (max 16 bytes)", new String(in.readNBytes(len),
                    StandardCharsets.UTF_8));
            assertEquals(-1, in.read());
        }
        assertEquals("packet too large (max 16 bytes)", handler.expectMessage(GateClosed.class, WAIT).reason());
    }

    @Test
    void shouldRejectAnOverlongLine(Node node) throws IOException {
        Probe handler = Probe.create(node, "handler");
        Gate gate = gate(node, "handler=handler", "max-packet=8");
        try (LineClient c = new LineClient(gate.address())) {
            handler.expectMessage(GateOpened.class, WAIT);
            c.send("12345678"); // exactly the limit: fine
            assertEquals("12345678", handler.expectMessage(GatePacket.class, WAIT).text());
            c.send("123456789" + "x".repeat(100_000)); // far more than the limit, still unread when it closes
            assertEquals("error: packet too large (max 8 bytes)", c.readLine());
            assertTrue(c.closedByServer());
        }
        handler.expectMessage(GateClosed.class, WAIT);
    }

    @Test
    void shouldRefuseConnectionsBeyondTheLimitAndAcceptAgainAfterOneCloses(Node node) throws IOException {
        Probe handler = Probe.create(node, "handler");
        Gate gate = gate(node, "handler=handler", "max-connections=2");
        LineClient a = new LineClient(gate.address());
        try (LineClient b = new LineClient(gate.address())) {
            handler.expectMessage(GateOpened.class, WAIT);
            handler.expectMessage(GateOpened.class, WAIT);
            assertTrue(b.socket.isConnected());
            try (LineClient refused = new LineClient(gate.address())) {
                assertEquals("error: too many connections (max 2)", refused.readLine());
                assertTrue(refused.closedByServer());
            }
            handler.expectNoMessage(Duration.ofMillis(50));
            a.close();
            handler.expectMessage(GateClosed.class, WAIT);
            try (LineClient c = new LineClient(gate.address())) {
                handler.expectMessage(GateOpened.class, WAIT);
                c.send("in");
                assertEquals("in", handler.expectMessage(GatePacket.class, WAIT).text());
            }
        }
    }

    @Test
    void shouldCloseOnRequestAndStopTheAgent(Node node) throws IOException {
        Probe handler = Probe.create(node, "handler");
        Gate gate = gate(node, "handler=handler");
        try (LineClient c = new LineClient(gate.address())) {
            GateOpened opened = handler.expectMessage(GateOpened.class, WAIT);
            Handle agent = handler.lastMessage().source();
            handler.watch(agent);
            handler.send(gate.handle(), new GateClose(opened.connection()));
            assertTrue(c.closedByServer());
            assertEquals("closed by server", handler.expectMessage(GateClosed.class, WAIT).reason());
            handler.expectTerminated(agent, WAIT);
        }
    }

    @Test
    void shouldRefuseClientsWhileTheHandlerIsMissing(Node node) throws IOException {
        Gate gate = gate(node, "handler=later");
        try (LineClient c = new LineClient(gate.address())) {
            assertEquals("error: no handler service 'later' is running", c.readLine());
            assertTrue(c.closedByServer());
        }
        Probe later = Probe.create(node, "later");
        try (LineClient c = new LineClient(gate.address())) {
            GateOpened opened = later.expectMessage(GateOpened.class, WAIT);
            assertEquals(c.socket.getLocalPort(), opened.remote().getPort());
        }
    }

    @Test
    void shouldTellHandlersWhenTheGateIsKilledUnderOpenConnections(Node node) throws IOException {
        Probe handler = Probe.create(node, "handler");
        Gate gate = gate(node, "handler=handler");
        LineClient c = new LineClient(gate.address());
        handler.expectMessage(GateOpened.class, WAIT);
        node.kill(gate.handle());
        Message m = handler.expectMessage("GateClosed", x -> x.payload() instanceof GateClosed, WAIT);
        assertThat(((GateClosed) m.payload()).reason(), startsWith("closed by server"));
        assertTrue(c.closedByServer());
        c.close();
    }

    @Test
    void shouldValidateItsArguments() {
        Launcher l = Launcher.create();
        assertThat(assertThrows(ModuleArgumentException.class, () -> l.spec("gate", List.of("port=1")))
                .getMessage(), containsString("handler: required argument is missing"));
        assertThat(assertThrows(ModuleArgumentException.class,
                () -> l.spec("gate", List.of("port=1", "handler=h", "framing=xml"))).getMessage(),
                containsString("framing: expected one of line, length, was 'xml'"));
        assertThat(assertThrows(ModuleArgumentException.class,
                () -> l.spec("gate", List.of("port=1", "handler=h", "framing=length", "max-packet=70000")))
                .getMessage(), containsString("max-packet: expected an integer in 1..65535, was '70000'"));
        assertThat(assertThrows(ModuleArgumentException.class,
                () -> l.spec("gate", List.of("port=1", "handler=:zz", "host=no.such.host.invalid"))).getMessage(),
                containsString("host: expected a host name or IP address, 'no.such.host.invalid' does not resolve"));
    }
}
