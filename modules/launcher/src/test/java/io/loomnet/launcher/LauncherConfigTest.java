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

import com.typesafe.config.ConfigFactory;

import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.scope.CloseReport;
import io.loomnet.testkit.LiveThreads;
import io.loomnet.testkit.LoomnetExtension;

/** Config files: a valid one runs; every kind of mistake names the file, line, key path and what was expected. */
@Timeout(30)
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
        assertEquals(new LauncherConfig.ServiceEntry("loomnet.services[0]", 11, "logger", Optional.of("log"),
                List.of("level=debug")), config.services().get(0));
        assertEquals(List.of("port=0"), config.services().get(1).args());
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
            unknown key        | loomnet { node-idd = 1 }                 | node.conf:1: loomnet.node-idd: unknown key; expected one of node-id, dispatcher, pooled-workers, throughput, close-timeout, stuck-threshold, monitor-interval, services
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
            nested arg         | loomnet { services = [ { module = logger, args = [ [1] ] } ] } | node.conf:1: loomnet.services[0].args[0]: is a list; expected a list of \"key=value\" strings
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
            Run r = main("run", f.toString());
            assertEquals(Main.EXIT_START, r.code(), r.toString());
            assertThat(r.err(), containsString(f + ":4: loomnet.services[0]: module 'console' did not start: "));
            assertThat(r.err(), containsString("cannot listen on 127.0.0.1:" + taken.getLocalPort()));
        }
    }
}
