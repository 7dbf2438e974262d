package io.loomnet.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.typesafe.config.ConfigFactory;

import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.scope.CloseReport;
import io.loomnet.testkit.LiveThreads;
import io.loomnet.testkit.LoomnetExtension;
import io.loomnet.transport.zmq.cluster.Cluster;
import io.loomnet.transport.zmq.gateway.GatewayConfig;

/** Config files: a valid one runs; every kind of mistake names the file, line, key path and what was expected. */
@Timeout(60)
class LauncherConfigTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path f = dir.resolve("node.conf");
        Files.writeString(f, text);
        return f;
    }

    private ConfigError error(String text) throws IOException {
        Path f = write(text);
        return assertThrows(ConfigError.class, () -> LauncherConfig.load(f, Launcher.create()));
    }

    @Test
    void shouldReadEveryKeyAndStartTheServicesInOrder() throws IOException {
        int id = LoomnetExtension.freshNodeId();
        Path f = write("""
                port = 0
                loomnet {
                  node-id = %d
                  dispatcher = pooled
                  pooled-workers = 2
                  throughput = 32
                  close-timeout = 5s
                  stuck-threshold = 2s
                  monitor-interval = 500ms
                  services = [
                    { module = logger, name = log, args { level = debug } }
                    { module = console, name = console, args = ["port="${port}] }
                  ]
                }
                """.formatted(id));
        LauncherConfig config = LauncherConfig.load(f, Launcher.create(), ConfigFactory.parseMap(Map.of("port", 0)));
        assertEquals(id, config.nodeId());
        assertEquals(Dispatcher.POOLED, config.dispatcher());
        LauncherConfig.ServiceEntry logger = config.services().get(0);
        assertEquals(List.of("loomnet.services[0]", 11, "logger", Optional.of("log")),
                List.of(logger.path(), logger.line(), logger.module(), logger.name()));
        assertEquals(ConfigFactory.parseMap(Map.of("level", "debug")).root(), logger.args().root());
        assertEquals("0", config.services().get(1).args().getString("port"));
        Node node = config.start();
        try {
            Handle log = node.lookup("log").orElseThrow();
            Handle console = node.lookup("console").orElseThrow();
            assertEquals(-1, log.compareTo(console), "launched in order");
            InetSocketAddress at = (InetSocketAddress) node.call(console, ListenerQuery.LOCAL_ADDRESS,
                    Duration.ofSeconds(5));
            assertThat(at.getAddress().getHostAddress(), startsWith("127."));
        } finally {
            CloseReport report = node.shutdown();
            assertEquals(true, report.clean(), report.toString());
            assertThat(report.stopped().get(1), startsWith("transport/console /127.0.0.1:"));
        }
        assertEquals(List.of(), LiveThreads.named("loomnet-" + id + "-"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key        | loomnet { node-idd = 1 }                 | node.conf:1: loomnet.node-idd: unknown key; expected one of close-timeout, cluster, dispatcher, gateway, gateways, idle-thread-timeout, launcher, modules, monitor-interval, node-id, pooled-workers, services, stuck-threshold, throughput
            wrong type         | loomnet { node-id = abc }                | node.conf:1: loomnet.node-id: is the string 'abc'; expected an integer in 0..65535
            out of range       | loomnet { node-id = 70000 }              | node.conf:1: loomnet.node-id: is 70000; expected an integer in 0..65535
            negative workers   | loomnet { pooled-workers = 0 }           | node.conf:1: loomnet.pooled-workers: is 0; expected an integer in 1..4096
            bad dispatcher     | loomnet { dispatcher = fast }            | node.conf:1: loomnet.dispatcher: is 'fast'; expected one of virtual, platform, pooled
            bad duration       | loomnet { close-timeout = forever }      | node.conf:1: loomnet.close-timeout: is the string 'forever'; expected a positive duration such as 10s or 500ms
            zero duration      | loomnet { stuck-threshold = 0s }         | node.conf:1: loomnet.stuck-threshold: is PT0S; expected a positive duration such as 10s or 500ms
            services not list  | loomnet { services = logger }            | node.conf:1: loomnet.services: is the string 'logger'; expected a list of service entries
            entry not object   | loomnet { services = [ logger ] }        | node.conf:1: loomnet.services[0]: is the string 'logger'; expected an object such as { module = logger, name = log }
            entry unknown key  | loomnet { services = [ { modul = x } ] } | node.conf:1: loomnet.services[0].modul: unknown key; expected one of module, name, args
            missing module     | loomnet { services = [ { name = x } ] }  | node.conf:1: loomnet.services[0].module: missing; expected a module name, one of [console, gate, logger, test-echo]
            unknown module     | loomnet { services = [ { module = consol } ] } | node.conf:1: loomnet.services[0].module: no service module named 'consol'; known modules: console, gate, logger, test-echo
            bad port           | loomnet { services = [ { module = console, args = [\"port=x\"] } ] } | node.conf:1: loomnet.services[0].args: port: expected an integer in 0..65535, was 'x' (module 'console')
            bad host           | loomnet { services = [ { module = console, args { port = 1, host = \"no.such.host.invalid\" } } ] } | node.conf:1: loomnet.services[0].args: host: expected a host name or IP address, 'no.such.host.invalid' does not resolve (module 'console')
            nested arg         | loomnet { services = [ { module = logger, args = [ [1] ] } ] } | node.conf:1: loomnet.services[0].args[0]: is a list; expected an object { key = value }, or a list of \"key=value\" strings
            bad name           | loomnet { services = [ { module = logger, name = \"a b\" } ] } | node.conf:1: loomnet.services[0].name: service name 'a b' must not start with ':'
            no loomnet         | node-id = 1                              | node.conf:1: loomnet: missing; expected an object such as loomnet { node-id = 1, services = [ ... ] }
            loomnet not object | loomnet = 3                              | node.conf:1: loomnet: is the number 3; expected an object { ... }
            syntax             | loomnet { node-id = 1                    | node.conf:1: not valid HOCON:
            unresolved         | loomnet { node-id = ${nope} }            | node.conf:1: Could not resolve substitution to a value: ${nope}
            """)
    void shouldReportMistakes(String what, String text, String expected) throws IOException {
        ConfigError e = error(text.replace("\\\"", "\""));
        String msg = e.getMessage().replace(dir.toString() + "/", "");
        assertThat(msg, startsWith(expected.replace("\\\"", "\"")));
    }

    private static final String INBOX = "inbox = \"tcp://127.0.0.1:7101\"";
    private static final String KEY_A = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    private static final String KEY_B = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            cluster not object    | cluster = 1                                                | node.conf:1: loomnet.cluster: is the number 1; expected an object such as { inbox = "tcp://127.0.0.1:7101", peers = [ { id = 2, endpoint = "tcp://127.0.0.1:7102" } ] }
            cluster unknown key   | cluster { INBOX, inbx = 1 }                                | node.conf:1: loomnet.cluster.inbx: unknown key; expected one of inbox, peers, heartbeat, down-after, max-frame, curve
            missing inbox         | cluster { peers = [] }                                     | node.conf:1: loomnet.cluster.inbox: missing; expected the endpoint this node's inbox binds, such as "tcp://127.0.0.1:7101"
            inbox not tcp         | cluster { inbox = "127.0.0.1:7101" }                       | node.conf:1: loomnet.cluster.inbox: is '127.0.0.1:7101'; expected a TCP endpoint to bind such as "tcp://127.0.0.1:5555" (port 1..65535, or * for any free port)
            inbox not a string    | cluster { inbox = 7101 }                                   | node.conf:1: loomnet.cluster.inbox: is the number 7101; expected a TCP endpoint to bind
            inbox host unknown    | cluster { inbox = "tcp://no.such.host.invalid:7101" }     | node.conf:1: loomnet.cluster.inbox: has host 'no.such.host.invalid', which does not resolve; expected a TCP endpoint to bind
            gateway host unknown  | gateways = [ { endpoint = "tcp://no.such.host.invalid:*" } ] | node.conf:1: loomnet.gateways[0].endpoint: has host 'no.such.host.invalid', which does not resolve; expected a TCP endpoint to bind
            inbox port too big    | cluster { inbox = "tcp://127.0.0.1:70000" }                | node.conf:1: loomnet.cluster.inbox: has port 70000; expected a TCP endpoint to bind
            peers not list        | cluster { INBOX, peers = 2 }                               | node.conf:1: loomnet.cluster.peers: is the number 2; expected a list of peers such as [ { id = 2, endpoint = "tcp://127.0.0.1:7102" } ]
            peer unknown key      | cluster { INBOX, peers = [ { id = 2, endpont = x } ] }     | node.conf:1: loomnet.cluster.peers[0].endpont: unknown key; expected one of id, endpoint, public-key
            peer missing id       | cluster { INBOX, peers = [ { endpoint = "tcp://h:1" } ] }  | node.conf:1: loomnet.cluster.peers[0].id: missing; expected the peer's node id, an integer in 0..65535
            peer id wrong type    | cluster { INBOX, peers = [ { id = two, endpoint = "tcp://h:1" } ] } | node.conf:1: loomnet.cluster.peers[0].id: is the string 'two'; expected an integer in 0..65535
            peer is this node     | cluster { INBOX, peers = [ { id = 1, endpoint = "tcp://h:1" } ] }   | node.conf:1: loomnet.cluster.peers[0].id: is 1, this node's own id (loomnet.node-id); expected the id of another node
            duplicate peer ids    | cluster { INBOX, peers = [ { id = 2, endpoint = "tcp://h:1" }, { id = 2, endpoint = "tcp://h:2" } ] } | node.conf:1: loomnet.cluster.peers[1].id: node 2 is already configured by loomnet.cluster.peers[0]; expected a unique node id
            peer missing endpoint | cluster { INBOX, peers = [ { id = 2 } ] }                  | node.conf:1: loomnet.cluster.peers[0].endpoint: missing; expected the peer's inbox endpoint, such as "tcp://127.0.0.1:7102"
            peer wildcard         | cluster { INBOX, peers = [ { id = 2, endpoint = "tcp://*:7102" } ] } | node.conf:1: loomnet.cluster.peers[0].endpoint: is 'tcp://*:7102', a wildcard; expected a TCP endpoint to connect to such as "tcp://127.0.0.1:7102" (a host, and a port in 1..65535)
            peer is own inbox     | cluster { INBOX, peers = [ { id = 2, endpoint = "tcp://127.0.0.1:7101" } ] } | node.conf:1: loomnet.cluster.peers[0].endpoint: is this node's own inbox (loomnet.cluster.inbox); expected the inbox endpoint of node 2
            curve without keys    | cluster { INBOX, curve { public-key = "KEY_A", secret-key = "KEY_B" }, peers = [ { id = 2, endpoint = "tcp://h:1" } ] } | node.conf:1: loomnet.cluster.peers[0].public-key: missing while loomnet.cluster.curve is set; expected node 2's CURVE public key (Z85, 40 characters)
            key without curve     | cluster { INBOX, peers = [ { id = 2, endpoint = "tcp://h:1", public-key = "KEY_A" } ] } | node.conf:1: loomnet.cluster.peers[0].public-key: is set but loomnet.cluster.curve is not; expected no peer keys, or loomnet.cluster.curve { public-key, secret-key } to turn CURVE on
            curve missing secret  | cluster { INBOX, curve { public-key = "KEY_A" } }          | node.conf:1: loomnet.cluster.curve.secret-key: missing; expected this node's CURVE secret key: 40 characters of Z85
            short secret key      | cluster { INBOX, curve { public-key = "KEY_A", secret-key = "hunter2" } } | node.conf:1: loomnet.cluster.curve.secret-key: is 7 characters long; expected this node's CURVE secret key: 40 characters of Z85
            key not Z85           | cluster { INBOX, curve { public-key = "KEY_A", secret-key = "KEY_B" }, peers = [ { id = 2, endpoint = "tcp://h:1", public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf~" } ] } | node.conf:1: loomnet.cluster.peers[0].public-key: has a character outside Z85 at position 40; expected node 2's CURVE public key: 40 characters of Z85
            curve unknown key     | cluster { INBOX, curve { private-key = x } }               | node.conf:1: loomnet.cluster.curve.private-key: unknown key; expected one of public-key, secret-key
            down-after too short  | cluster { INBOX, heartbeat = 500ms, down-after = 500ms }   | node.conf:1: loomnet.cluster.down-after: is PT0.5S, not longer than the heartbeat (PT0.5S); expected a duration longer than loomnet.cluster.heartbeat
            heartbeat too long    | cluster { INBOX, heartbeat = 1s }                          | node.conf:1: loomnet.cluster.heartbeat: is PT1S, not shorter than the default down-after (PT0.9S); expected a shorter heartbeat, or a longer loomnet.cluster.down-after
            bad heartbeat         | cluster { INBOX, heartbeat = often }                       | node.conf:1: loomnet.cluster.heartbeat: is the string 'often'; expected a positive duration such as 10s or 500ms
            max-frame too small   | cluster { INBOX, max-frame = 10 }                          | node.conf:1: loomnet.cluster.max-frame: is 10 bytes; expected a size in 26..1073741815 bytes, such as 65536, 64KiB or 1MiB
            gateways not list     | gateways = "tcp://127.0.0.1:5555"                          | node.conf:1: loomnet.gateways: is the string 'tcp://127.0.0.1:5555'; expected a list of gateways such as [ { endpoint = "tcp://127.0.0.1:5555" } ]
            gateway not object    | gateways = [ "tcp://127.0.0.1:5555" ]                      | node.conf:1: loomnet.gateways[0]: is the string 'tcp://127.0.0.1:5555'; expected an object such as { endpoint = "tcp://127.0.0.1:5555" }
            gateway unknown key   | gateways = [ { endpoint = "tcp://127.0.0.1:5555", timeout = 1s } ] | node.conf:1: loomnet.gateways[0].timeout: unknown key; expected one of endpoint, call-timeout, max-payload, max-target, max-in-flight
            gateway no endpoint   | gateways = [ { call-timeout = 1s } ]                       | node.conf:1: loomnet.gateways[0].endpoint: missing; expected the endpoint the gateway binds, such as "tcp://127.0.0.1:5555"
            gateway no port       | gateways = [ { endpoint = "tcp://127.0.0.1" } ]            | node.conf:1: loomnet.gateways[0].endpoint: is 'tcp://127.0.0.1'; expected a TCP endpoint to bind
            gateway ipc           | gateways = [ { endpoint = "ipc:///tmp/x" } ]               | node.conf:1: loomnet.gateways[0].endpoint: is 'ipc:///tmp/x'; expected a TCP endpoint to bind
            gateway on the inbox  | cluster { INBOX }, gateways = [ { endpoint = "tcp://127.0.0.1:7101" } ] | node.conf:1: loomnet.gateways[0].endpoint: 'tcp://127.0.0.1:7101' is already bound by loomnet.cluster.inbox; expected an endpoint of its own
            two gateways one port | gateways = [ { endpoint = "tcp://127.0.0.1:5555" }, { endpoint = "tcp://127.0.0.1:5555" } ] | node.conf:1: loomnet.gateways[1].endpoint: 'tcp://127.0.0.1:5555' is already bound by loomnet.gateways[0].endpoint; expected an endpoint of its own
            zero call-timeout     | gateways = [ { endpoint = "tcp://127.0.0.1:5555", call-timeout = 0s } ] | node.conf:1: loomnet.gateways[0].call-timeout: is PT0S; expected a positive duration such as 10s or 500ms
            bad max-payload       | gateways = [ { endpoint = "tcp://127.0.0.1:5555", max-payload = lots } ] | node.conf:1: loomnet.gateways[0].max-payload: is the string 'lots'; expected a size in 0..2147483647 bytes, such as 65536, 64KiB or 1MiB
            huge max-payload      | gateways = [ { endpoint = "tcp://127.0.0.1:5555", max-payload = 4GiB } ] | node.conf:1: loomnet.gateways[0].max-payload: is 4294967296 bytes; expected a size in 0..2147483647 bytes
            zero max-in-flight    | gateways = [ { endpoint = "tcp://127.0.0.1:5555", max-in-flight = 0 } ] | node.conf:1: loomnet.gateways[0].max-in-flight: is 0; expected an integer in 1..10000000
            """)
    void shouldReportTransportMistakes(String what, String text, String expected) throws IOException {
        ConfigError e = error("loomnet { " + text.replace("INBOX", INBOX).replace("KEY_A", KEY_A)
                .replace("KEY_B", KEY_B) + " }");
        String msg = e.getMessage().replace(dir.toString() + "/", "");
        assertThat(msg, startsWith(expected));
    }

    @Test
    void shouldNeverEchoASecretKey() throws IOException {
        String secret = "secret-secret-secret-secret-secret-secr~";
        ConfigError e = error("loomnet.cluster { " + INBOX + ", curve { public-key = \"" + KEY_A + "\", secret-key = \""
                + secret + "\" } }");
        assertEquals("loomnet.cluster.curve.secret-key", e.path());
        assertThat(e.problem(), startsWith("has a character outside Z85 at position 40"));
        assertEquals(false, e.getMessage().contains("secret-secret"), e.getMessage());
        LauncherConfig ok = LauncherConfig.parse("n.conf", "loomnet.cluster { " + INBOX + ", curve { public-key = \""
                + KEY_A + "\", secret-key = \"" + KEY_B + "\" } }", Launcher.create());
        assertEquals(false, ok.cluster().orElseThrow().toString().contains(KEY_B));
    }

    @Test
    void shouldReadClusterAndGatewaySettings() {
        LauncherConfig c = LauncherConfig.parse("n.conf", """
                loomnet {
                  node-id = 7
                  cluster {
                    inbox = "tcp://127.0.0.1:*"
                    peers = [ { id = 8, endpoint = "tcp://localhost:7108", public-key = "%s" } ]
                    heartbeat = 100ms
                    down-after = 1s
                    max-frame = 64KiB
                    curve { public-key = "%s", secret-key = "%s" }
                  }
                  gateways = [
                    { endpoint = "tcp://127.0.0.1:5555", call-timeout = 2s, max-payload = 1KiB, max-in-flight = 5 }
                    { endpoint = "tcp://[::1]:5556" }
                  ]
                }
                """.formatted(KEY_A, KEY_B, KEY_A), Launcher.create());
        LauncherConfig.ClusterEntry cl = c.cluster().orElseThrow();
        assertEquals(new LauncherConfig.ClusterEntry("loomnet.cluster", 3, "tcp://127.0.0.1:*",
                List.of(new LauncherConfig.Peer(8, "tcp://localhost:7108", Optional.of(KEY_A))),
                Duration.ofMillis(100), Duration.ofSeconds(1), 65536,
                Optional.of(new LauncherConfig.Curve(KEY_B, KEY_A))), cl);
        assertEquals(2, c.gateways().size());
        assertEquals(new LauncherConfig.GatewayEntry("loomnet.gateways[0]", 12, "tcp://127.0.0.1:5555",
                new GatewayConfig(Duration.ofSeconds(2), 1024, GatewayConfig.MAX_TARGET_BYTES_DEFAULT, 5)),
                c.gateways().get(0));
        assertEquals(GatewayConfig.defaults(), c.gateways().get(1).config());
        assertThat(c.toString(), containsString("cluster inbox tcp://127.0.0.1:* with 1 peer(s), 2 gateway(s)"));
    }

    @Test
    void shouldLinkTwoNodesAndBindAGatewayFromConfigs() throws IOException {
        int a = LoomnetExtension.freshNodeId();
        int b = LoomnetExtension.freshNodeId();
        String ea = "tcp://127.0.0.1:" + freePort();
        String eb = "tcp://127.0.0.1:" + freePort();
        String conf = """
                loomnet {
                  node-id = %d
                  services = [ { module = test-echo, name = echo, args { prefix = "%d:" } } ]
                  cluster { inbox = "%s", peers = [ { id = %d, endpoint = "%s" } ], heartbeat = 100ms, down-after = 2s }
                  gateways = [ { endpoint = "tcp://127.0.0.1:*", call-timeout = 2s } ]
                }
                """;
        LauncherConfig.Running one = LauncherConfig.parse("a.conf", conf.formatted(a, a, ea, b, eb), Launcher.create())
                .launch();
        LauncherConfig.Running two = null;
        try {
            two = LauncherConfig.parse("b.conf", conf.formatted(b, b, eb, a, ea), Launcher.create()).launch();
            Handle echoB = one.node().lookup("echo@" + b).orElseThrow();
            assertEquals(b + ":hi", one.node().call(echoB, "hi", Duration.ofSeconds(10)));
            // Data may flow before the first heartbeat answer marks the peer UP (CONNECTING queues): wait for it.
            Cluster cluster = one.cluster().orElseThrow();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (cluster.peerState(b) != Cluster.PeerState.UP && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(Cluster.PeerState.UP, cluster.peerState(b));
            String gateway = one.gateways().get(0).endpoint();
            assertThat(gateway, startsWith("tcp://127.0.0.1:"));
            assertEquals(List.of("error", "unknown target: 'nope'"), request(gateway, "nope", "x"));
        } finally {
            for (LauncherConfig.Running r : java.util.Arrays.asList(one, two)) {
                if (r != null) {
                    CloseReport report = r.node().shutdown();
                    assertEquals(true, report.clean(), report.toString());
                    assertThat(report.stopped().toString(), containsString("transport/cluster"));
                    assertThat(report.stopped().toString(), containsString("transport/gateway tcp://127.0.0.1:"));
                }
            }
        }
        assertEquals(List.of(), LiveThreads.named("loomnet-" + a + "-"));
        assertEquals(List.of(), LiveThreads.named("loomnet-" + b + "-"));
    }

    /** One gateway request from a REQ socket, once: the gateway answers every request. */
    private static List<String> request(String endpoint, String target, String payload) {
        try (ZContext ctx = new ZContext();
             ZMQ.Socket req = io.loomnet.transport.zmq.ZmqClients.connect(ctx, SocketType.REQ, endpoint,
                     java.time.Duration.ofSeconds(10))) {
            req.setReceiveTimeOut(10_000);
            req.sendMore(target);
            req.send(payload.getBytes(StandardCharsets.UTF_8));
            byte[] status = req.recv();
            if (status == null) {
                throw new AssertionError("no reply from " + endpoint + " within 10 s");
            }
            return List.of(new String(status, StandardCharsets.UTF_8), new String(req.recv(), StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        return io.loomnet.testkit.TestPorts.free(); // below the ephemeral range: no TCP self-connect can take it
    }

    @Test
    void shouldReportEveryMistakeInTheFileNotOnlyTheFirst() throws IOException {
        Path f = write("""
                loomnet {
                  node-idd = 1
                  throughput = 0
                  services = [
                    { module = consol }
                    { module = console, args { port = x } }
                    { module = logger, args { levl = debug } }
                  ]
                  gateways = [ { endpoint = "tcp://127.0.0.1" } ]
                  modules.console { max-line = [1] }
                }
                """);
        ConfigError e = assertThrows(ConfigError.class, () -> LauncherConfig.load(f, Launcher.create()));
        List<String> lines = e.problems().stream().map(p -> p.getMessage().replace(dir.toString() + "/", ""))
                .toList();
        assertEquals(List.of(
                "node.conf:2: loomnet.node-idd: unknown key; expected one of close-timeout, cluster, dispatcher, "
                        + "gateway, gateways, idle-thread-timeout, launcher, modules, monitor-interval, node-id, "
                        + "pooled-workers, services, "
                        + "stuck-threshold, throughput",
                "node.conf:3: loomnet.throughput: is 0; expected an integer in 1..1000000",
                "node.conf:5: loomnet.services[0].module: no service module named 'consol'; known modules: console, "
                        + "gate, logger, test-echo",
                "node.conf:6: loomnet.services[1].args: port: expected an integer in 0..65535, was 'x' "
                        + "(module 'console')",
                "node.conf:7: loomnet.services[2].args: levl: unknown argument; expected one of [level, logger] "
                        + "(module 'logger')",
                "node.conf:9: loomnet.gateways[0].endpoint: is 'tcp://127.0.0.1'; expected a TCP endpoint to bind "
                        + "such as \"tcp://127.0.0.1:5555\" (port 1..65535, or * for any free port)"),
                lines.subList(0, 6));
        // Typesafe Config's checkValid against reference.conf finds the list where a number belongs.
        assertEquals(7, lines.size(), lines.toString());
        assertThat(lines.get(6), startsWith("node.conf:10: loomnet.modules.console.max-line: "));
        Run r = main("check", f.toString());
        assertEquals(2, r.code());
        assertEquals(8, r.err().lines().count(), r.err());
        assertThat(r.err(), containsString("loomnet: 7 problems in " + f));
    }

    @Test
    void shouldTakeModuleDefaultsFromReferenceConfAndTheFile() throws IOException {
        int id = LoomnetExtension.freshNodeId();
        LauncherConfig config = LauncherConfig.parse("n.conf", """
                loomnet {
                  node-id = %d
                  modules.console.max-connections = 1
                  services = [ { module = console, name = console, args { port = 0 } } ]
                }
                """.formatted(id), Launcher.create());
        assertEquals(4096, config.launcher().defaults("console").getInt("max-line"), "from reference.conf");
        assertEquals(1, config.launcher().defaults("console").getInt("max-connections"), "from the file");
        Node node = config.start();
        InetSocketAddress at = (InetSocketAddress) node.call(node.lookup("console").orElseThrow(),
                ListenerQuery.LOCAL_ADDRESS, Duration.ofSeconds(5));
        try (LineClient first = new LineClient(at)) {
            assertThat(first.command("stat").toString(), containsString("node-id " + id));
            try (LineClient second = new LineClient(at)) {
                assertEquals("<CMD Error> too many console connections (max 1)", second.readLine());
            }
        } finally {
            CloseReport report = node.shutdown();
            assertEquals(true, report.clean(), report.toString());
        }
    }

    @Test
    void shouldRejectUnknownModuleSettings() throws IOException {
        ConfigError e = error("loomnet { modules { console { max-lines = 5 }, consol { port = 1 } } }");
        List<String> lines = e.problems().stream().map(p -> p.getMessage().replace(dir.toString() + "/", ""))
                .toList();
        assertThat(lines.toString(), lines.get(0), startsWith("node.conf:1: loomnet.modules.consol: unknown key; "
                + "expected one of "));
        assertThat(lines.toString(), lines.get(1), startsWith("node.conf:1: loomnet.modules.console.max-lines: "
                + "unknown key; expected one of host, max-connections, max-line, port"));
    }

    @Test
    void shouldReportUnresolvedSubstitutions() throws IOException {
        ConfigError e = error("loomnet {\n  node-id = ${nope}\n}\n");
        assertThat(e.getMessage(), containsString("node.conf:2: "));
        assertThat(e.getMessage(), containsString("nope"));
        assertThat(e.getMessage(), containsString("(define it in the file, or as an environment variable"));
    }

    @Test
    void shouldReportTheLineOfTheBadKey() throws IOException {
        ConfigError e = error("loomnet {\n  node-id = 1\n  services = [\n    { module = logger }\n"
                + "    { module = gate, args = [\"port=1\"] }\n  ]\n}\n");
        assertEquals(5, e.line().orElseThrow());
        assertEquals("loomnet.services[1].args", e.path());
        assertThat(e.problem(), startsWith("handler: required argument is missing"));
    }

    @Test
    void shouldRejectDuplicateServiceNames() throws IOException {
        ConfigError e = error("loomnet.services = [ { module = logger, name = log }, { module = logger, name = log } ]");
        assertThat(e.getMessage(), containsString("loomnet.services[1].name: 'log' is already used by "
                + "loomnet.services[0]; expected a unique name"));
    }

    @Test
    void shouldReportAMissingFile() {
        ConfigError e = assertThrows(ConfigError.class,
                () -> LauncherConfig.load(dir.resolve("nope.conf"), Launcher.create()));
        assertThat(e.getMessage(), containsString("nope.conf: no such file"));
    }

    // ------------------------------------------------------------------------------------------ Main

    private record Run(int code, String out, String err) {
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldExitWithTwoOnConfigErrors() throws IOException {
        Path f = write("loomnet {\n  dispatcher = fast\n}\n");
        for (String cmd : List.of("check", "run")) {
            Run r = main(cmd, f.toString());
            assertEquals(Main.EXIT_CONFIG, r.code(), r.toString());
            assertEquals("loomnet: " + f + ":2: loomnet.dispatcher: is 'fast'; expected one of virtual, platform, "
                    + "pooled\n", r.err());
        }
        assertEquals(Main.EXIT_CONFIG, main("run").code());
        assertEquals(Main.EXIT_CONFIG, main("launch", "x").code());
        assertThat(main("launch", "x").err(), containsString("unknown command 'launch'"));
    }

    @Test
    void shouldExitWithOneWhenAGatewayCannotBind() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path f = write("loomnet {\n  node-id = " + LoomnetExtension.freshNodeId() + "\n  gateways = [\n"
                    + "    { endpoint = \"tcp://127.0.0.1:" + taken.getLocalPort() + "\" }\n  ]\n}\n");
            Run r = main("run", f.toString());
            assertEquals(Main.EXIT_START, r.code(), r.toString());
            assertThat(r.err(), containsString(f + ":4: loomnet.gateways[0]: gateway tcp://127.0.0.1:"
                    + taken.getLocalPort() + " did not start: "));
        }
    }

    @Test
    void shouldCheckAClusterConfig() throws IOException {
        Path f = write("loomnet {\n  node-id = 3\n  cluster { inbox = \"tcp://127.0.0.1:7103\", peers = [\n"
                + "    { id = 4, endpoint = \"tcp://127.0.0.1:7104\" } ] }\n"
                + "  gateways = [ { endpoint = \"tcp://127.0.0.1:5555\" } ]\n}\n");
        Run r = main("check", f.toString());
        assertEquals(0, r.code(), r.toString());
        assertThat(r.out(), containsString("is valid: node 3, 0 service(s), cluster inbox tcp://127.0.0.1:7103 with "
                + "1 peer(s), 1 gateway(s)"));
        Path bad = write("loomnet {\n  node-id = 3\n  cluster {\n    inbox = \"tcp://127.0.0.1:7103\"\n"
                + "    peers = [ { id = 3, endpoint = \"tcp://127.0.0.1:7104\" } ]\n  }\n}\n");
        Run e = main("check", bad.toString());
        assertEquals(Main.EXIT_CONFIG, e.code(), e.toString());
        assertEquals("loomnet: " + bad + ":5: loomnet.cluster.peers[0].id: is 3, this node's own id (loomnet.node-id); "
                + "expected the id of another node\n", e.err());
    }


    @Test
    void shouldCheckAValidFileAndListModules() throws IOException {
        Path f = write("loomnet { services = [ { module = logger } ] }");
        Run r = main("check", f.toString());
        assertEquals(0, r.code(), r.toString());
        assertThat(r.out(), containsString("is valid: node 1, 1 service(s)"));
        Run m = main("modules");
        assertThat(m.out(), containsString("console "));
        assertThat(m.out(), containsString("gate "));
    }

    @Test
    void shouldExitWithOneWhenAServiceCannotStart() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path f = write("loomnet {\n  node-id = " + LoomnetExtension.freshNodeId() + "\n  services = [\n"
                    + "    { module = console, args = [\"port=" + taken.getLocalPort() + "\"] }\n  ]\n}\n");
            ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                    .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                    new ch.qos.logback.core.read.ListAppender<>();
            logged.start();
            root.addAppender(logged);
            Run r;
            try {
                r = main("run", f.toString());
            } finally {
                root.detachAppender(logged);
            }
            assertEquals(Main.EXIT_START, r.code(), r.toString());
            assertEquals(1, r.err().lines().count(), r.err());
            assertThat(r.err(), containsString(f + ":4: loomnet.services[0]: module 'console' did not start: "));
            assertThat(r.err(), containsString("cannot listen on 127.0.0.1:" + taken.getLocalPort()));
            assertEquals(List.of(), logged.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                    .map(e -> e.getFormattedMessage()).toList(), "no WARN before the summary line");
        }
    }

    @Test
    void defaultsComeFromTheLibrariesReferenceConfAndLoomnetGatewayAppliesToEveryGateway() {
        com.typesafe.config.Config ref = ConfigFactory.defaultReference();
        LauncherConfig c = LauncherConfig.parse("n.conf", """
                loomnet {
                  gateway { call-timeout = 2s }
                  gateways = [ { endpoint = "tcp://127.0.0.1:*" }, { endpoint = "tcp://127.0.0.1:*", call-timeout = 3s } ]
                  cluster { inbox = "tcp://127.0.0.1:*" }
                }
                """, Launcher.create());
        assertEquals(ref.getInt("loomnet.node-id"), c.nodeId());
        assertEquals(Dispatcher.valueOf(ref.getString("loomnet.dispatcher").toUpperCase(java.util.Locale.ROOT)),
                c.dispatcher());
        assertEquals(Duration.ofSeconds(2), c.gateways().get(0).config().callTimeout());
        assertEquals(Duration.ofSeconds(3), c.gateways().get(1).config().callTimeout());
        assertEquals(ref.getInt("loomnet.gateway.max-in-flight"), c.gateways().get(0).config().maxInFlight());
        LauncherConfig.ClusterEntry cl = c.cluster().orElseThrow();
        assertEquals(ref.getDuration("loomnet.cluster.heartbeat"), cl.heartbeat());
        assertEquals(ref.getDuration("loomnet.cluster.down-after"), cl.downAfter());
        assertEquals(ref.getBytes("loomnet.cluster.max-frame"), (long) cl.maxFrameBytes());
        ConfigError e = assertThrows(ConfigError.class, () -> LauncherConfig.parse("n.conf",
                "loomnet.gateway { max-in-flight = 0, timeout = 1s }, loomnet.gateways = [ { endpoint = \"tcp://127.0.0.1:*\" } ]",
                Launcher.create()));
        assertEquals(List.of("n.conf:1: loomnet.gateway.timeout: unknown key; expected one of call-timeout, "
                        + "max-in-flight, max-payload, max-target",
                "n.conf:1: loomnet.gateway.max-in-flight: is 0; expected an integer in 1..10000000"),
                e.problems().stream().map(ConfigError::getMessage).toList());
    }
}
