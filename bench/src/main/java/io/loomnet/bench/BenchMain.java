package io.loomnet.bench;

import io.loomnet.bench.api.RuntimeInfo;
import io.loomnet.bench.api.Runtimes;
import io.loomnet.bench.api.Workload;
import io.loomnet.bench.jmh.CallChainBench;
import io.loomnet.bench.jmh.ChurnBench;
import io.loomnet.bench.jmh.FanInBench;
import io.loomnet.bench.jmh.HeapPeakProfiler;
import io.loomnet.bench.jmh.PingPongBench;
import io.loomnet.bench.jmh.RemoteCallBench;
import io.loomnet.bench.jmh.RemoteTellBench;
import io.loomnet.bench.jmh.SkynetBench;
import io.loomnet.bench.jmh.ThreadRingBench;
import io.loomnet.bench.report.Cell;
import io.loomnet.bench.report.ChartRenderer;
import io.loomnet.bench.report.Figure;
import io.loomnet.bench.report.Json;
import io.loomnet.bench.report.MarkdownReport;
import io.loomnet.bench.report.Progress;
import io.loomnet.bench.report.Report;
import io.loomnet.bench.report.SystemInfo;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs the workloads with JMH (one JMH run per workload, every runtime that implements it as the
 * {@code runtime} parameter, in forked JVMs) and writes results.json, results.md, results.png,
 * jmh.log and each workload's raw JMH JSON into the output directory.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar [--quick|--full] [--out DIR] [--only w1,w2] [--runtimes r1,r2] [--list]
 * </pre>
 * Usually started through {@code bench/run}, which also finds a JDK 21+ and builds the jar.
 */
public final class BenchMain {

    /** Run settings. Skynet is single-shot (one tree per iteration), so it has its own counts. */
    record Profile(String name, int forks, int warmups, int warmupSeconds, int measurements, int measureSeconds,
                   int skynetWarmups, int skynetMeasurements) {
        String describe() {
            return String.format("profile %s: %d fork(s); %d x %d s warm-up, %d x %d s measurement; Skynet %d warm-up"
                            + " + %d measured trees per fork", name, forks, warmups, warmupSeconds, measurements,
                    measureSeconds, skynetWarmups, skynetMeasurements);
        }
    }

    static final Profile QUICK = new Profile("quick", 1, 2, 1, 3, 2, 1, 2);
    static final Profile FULL = new Profile("full", 3, 5, 2, 10, 2, 2, 5);
    /** Checks the pipeline end to end in a couple of minutes; its figures are not worth quoting. */
    static final Profile SMOKE = new Profile("smoke", 1, 1, 1, 1, 1, 0, 1);

    static final Map<Workload, Class<?>> BENCHES = new EnumMap<>(Workload.class);

    static {
        BENCHES.put(Workload.PINGPONG, PingPongBench.class);
        BENCHES.put(Workload.THREADRING, ThreadRingBench.class);
        BENCHES.put(Workload.FANIN, FanInBench.class);
        BENCHES.put(Workload.SKYNET, SkynetBench.class);
        BENCHES.put(Workload.CALLCHAIN, CallChainBench.class);
        BENCHES.put(Workload.CHURN, ChurnBench.class);
        BENCHES.put(Workload.REMOTE_TELL, RemoteTellBench.class);
        BENCHES.put(Workload.REMOTE_CALL, RemoteCallBench.class);
    }

    /** Benchmark JVMs: a fixed 4 GiB G1 heap for every runtime. */
    static List<String> forkJvmArgs(Workload w) {
        List<String> args = new ArrayList<>(List.of("-Xms4g", "-Xmx4g", "-XX:+UseG1GC"));
        if (w == Workload.SKYNET) {
            // A fixed young generation makes collections run during the tree, so the
            // "peak heap after GC" figure sees the retained actors instead of one huge eden.
            args.add("-Xmn256m");
        }
        if (Runtime.version().feature() >= 24) {
            // Pekko uses sun.misc.Unsafe; JDK 24+ warns (and later releases may refuse) by default.
            args.add("--sun-misc-unsafe-memory-access=allow");
        }
        return args;
    }

    private BenchMain() {
    }

    public static void main(String[] argv) throws Exception {
        Profile profile = QUICK;
        Path out = null;
        Set<Workload> only = new LinkedHashSet<>(Arrays.asList(Workload.values()));
        Set<String> runtimeFilter = null;
        boolean gc = false;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--quick" -> profile = QUICK;
                case "--full" -> profile = FULL;
                case "--smoke" -> profile = SMOKE;
                case "--out" -> out = Path.of(argv[++i]);
                case "--only" -> {
                    only.clear();
                    for (String id : argv[++i].split(",")) {
                        only.add(Workload.byId(id.trim()));
                    }
                }
                case "--runtimes" -> {
                    runtimeFilter = new LinkedHashSet<>();
                    for (String id : argv[++i].split(",")) {
                        runtimeFilter.add(Runtimes.get(id.trim()).id());
                    }
                }
                case "--gc" -> gc = true;
                case "--list" -> {
                    list();
                    return;
                }
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> {
                    System.err.println("unknown argument: " + argv[i]);
                    usage();
                    System.exit(2);
                }
            }
        }
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
        if (out == null) {
            out = Path.of("bench", "results", stamp + "-" + profile.name());
        }
        Files.createDirectories(out);
        System.exit(run(profile, out, only, runtimeFilter, now, gc));
    }

    private static void usage() {
        System.out.println("""
                usage: bench/run [--quick|--full] [--gc] [--out DIR] [--only WORKLOADS] [--runtimes RUNTIMES] [--list]
                  --quick      1 fork, short warm-up (about 10 minutes on 2 cores; the default)
                  --full       3 forks, longer warm-up and measurement
                  --smoke      1 short iteration each: checks the pipeline, figures not worth quoting
                  --only       comma-separated workload ids (see --list)
                  --runtimes   comma-separated runtime ids (see --list)
                  --gc         add JMH's GC profiler; writes allocation.md (bytes allocated per message, hop or tree)""");
    }

    private static void list() {
        System.out.println("workloads:");
        for (Workload w : Workload.values()) {
            System.out.printf("  %-12s %s%n", w.id(), w.title());
        }
        System.out.println("runtimes:");
        for (RuntimeInfo r : Runtimes.all()) {
            System.out.printf("  %-17s %-22s %s%n", r.id(), r.label(),
                    r.workloads().isEmpty() ? "pending" : r.workloads().stream().map(Workload::id).toList());
        }
    }

    private static int run(Profile profile, Path out, Set<Workload> only, Set<String> runtimeFilter,
                           ZonedDateTime started, boolean gc) throws Exception {
        Map<Workload, List<String>> plan = new LinkedHashMap<>();
        int total = 0;
        for (Workload w : only) {
            List<String> ids = new ArrayList<>();
            for (RuntimeInfo r : Runtimes.supporting(w)) {
                if (runtimeFilter == null || runtimeFilter.contains(r.id())) {
                    ids.add(r.id());
                }
            }
            if (!ids.isEmpty()) {
                plan.put(w, ids);
                total += ids.size() * (w == Workload.PINGPONG ? 2 : 1);
            }
        }
        System.out.println("Loomnet bench: " + profile.describe());
        System.out.println("JDK " + System.getProperty("java.runtime.version") + " at " + System.getProperty("java.home")
                + "; " + Runtime.getRuntime().availableProcessors() + " CPUs (" + SystemInfo.cpuModel() + ")");
        System.out.println("Results: " + out.toAbsolutePath() + "  (JMH's own output: jmh.log there)");
        System.out.println("Legend: w = warm-up iteration, m = measurement iteration");

        List<RunResult> results = new ArrayList<>();
        String loadAtStart = SystemInfo.loadAverage();
        long t0 = System.nanoTime();
        try (PrintStream logStream = new PrintStream(new FileOutputStream(out.resolve("jmh.log").toFile()), true,
                StandardCharsets.UTF_8)) {
            Map<String, String> units = new LinkedHashMap<>();
            for (Figure f : Figure.ALL) {
                units.putIfAbsent(BENCHES.get(f.workload()).getName(),
                        f.workload() == Workload.REMOTE_CALL ? "µs mean" : f.unit());
            }
            Progress progress = new Progress(OutputFormatFactory.createFormatInstance(logStream, VerboseMode.NORMAL),
                    System.out, total, units);
            for (Map.Entry<Workload, List<String>> e : plan.entrySet()) {
                Workload w = e.getKey();
                boolean single = w == Workload.SKYNET;
                ChainedOptionsBuilder ob = new OptionsBuilder()
                        .include("^" + Pattern.quote(BENCHES.get(w).getName()) + "\\.")
                        .param("runtime", e.getValue().toArray(String[]::new))
                        .forks(profile.forks())
                        .warmupIterations(single ? profile.skynetWarmups() : profile.warmups())
                        .warmupTime(TimeValue.seconds(profile.warmupSeconds()))
                        .measurementIterations(single ? profile.skynetMeasurements() : profile.measurements())
                        .measurementTime(TimeValue.seconds(profile.measureSeconds()))
                        // Replaces the JVM arguments JMH would otherwise copy from this driver JVM.
                        .jvmArgs(forkJvmArgs(w).toArray(String[]::new))
                        .jvmArgsAppend() // and drops the @Fork defaults meant for JMH's own launcher
                        .timeout(TimeValue.minutes(5))
                        .shouldFailOnError(false)
                        .resultFormat(ResultFormatType.JSON)
                        .result(out.resolve("jmh-" + w.id() + ".json").toString());
                if (single) {
                    ob.addProfiler(HeapPeakProfiler.class);
                }
                if (gc) {
                    ob.addProfiler(GCProfiler.class);
                }
                try {
                    results.addAll(new Runner(ob.build(), progress).run());
                } catch (RunnerException ex) {
                    System.out.println("  " + w.id() + ": JMH failed: " + ex.getMessage());
                    ex.printStackTrace(logStream);
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        Map<String, Object> env = new LinkedHashMap<>();
        env.put("timestamp", started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'")));
        env.put("profile", profile.name());
        env.put("settings", profile.describe());
        env.putAll(SystemInfo.collect());
        env.put("forkJvmArgs", String.join(" ", forkJvmArgs(Workload.PINGPONG)) + " (Skynet adds -Xmn256m)");
        env.put("heapOfBenchmarkJvms", "4 GiB (-Xms4g -Xmx4g), G1");
        Map<String, Object> libs = new LinkedHashMap<>();
        for (String k : List.of("jmh", "pekko", "fibry", "jeromq", "loomnet")) {
            libs.put(k, Runtimes.VERSIONS.getProperty(k));
        }
        env.put("libraries", libs);
        String commit = System.getenv("LOOMNET_GIT_COMMIT");
        env.put("commit", commit == null || commit.isBlank() ? "unknown" : commit);
        env.put("duration", String.format("%d min %02d s", took.toMinutes(), took.toSecondsPart()));
        env.put("durationSeconds", took.toSeconds());
        // Anything else running on the machine shows here; on 2 cores it moves the figures.
        env.put("loadAverage", "start " + loadAtStart + "; end " + SystemInfo.loadAverage());

        Report report = new Report(env, Runtimes.all(), Figure.ALL, cells(plan, results));
        Map<String, Object> json = report.toJson();
        json.put("raw", raw(results));
        Files.writeString(out.resolve("results.json"), Json.write(json));
        Files.writeString(out.resolve("results.md"), MarkdownReport.render(report));
        try {
            ChartRenderer.write(report, out.resolve("results.png"));
        } catch (Exception | Error ex) {
            // A machine without fonts cannot draw text; the JSON and Markdown still stand.
            System.out.println("chart not written: " + ex);
        }
        System.out.println();
        System.out.println(Files.readString(out.resolve("results.md")));
        if (gc) {
            String table = allocationTable(results);
            Files.writeString(out.resolve("allocation.md"), table);
            System.out.println(table);
        }
        System.out.printf("Done in %s. Wrote %s/{results.json,results.md,results.png,jmh.log}%n",
                env.get("duration"), out);
        long failed = report.cells().stream().filter(c -> "failed".equals(c.status())).count();
        return failed == 0 ? 0 : 1;
    }

    /**
     * JMH's {@code gc.alloc.rate.norm} per benchmark: bytes allocated per operation, and every benchmark here counts
     * one operation per message, hop or tree ({@code @OperationsPerInvocation}).
     */
    private static String allocationTable(List<RunResult> results) {
        StringBuilder b = new StringBuilder("| Benchmark | Parameters | Allocated per operation (B) |\n|---|---|---:|\n");
        for (RunResult r : results) {
            Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
            String bench = r.getParams().getBenchmark();
            String params = r.getParams().getParamsKeys().stream()
                    .map(k -> k + "=" + r.getParams().getParam(k)).collect(java.util.stream.Collectors.joining(" "));
            b.append("| ").append(bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1)).append(" | ")
                    .append(params).append(" | ")
                    .append(norm == null ? "n/a" : String.format("%.0f", norm.getScore())).append(" |\n");
        }
        return b.toString();
    }

    private static List<Cell> cells(Map<Workload, List<String>> plan, List<RunResult> results) {
        List<Cell> cells = new ArrayList<>();
        for (Figure f : Figure.ALL) {
            for (RuntimeInfo rt : Runtimes.all()) {
                if (rt.kind() == RuntimeInfo.Kind.LOOMNET && rt.workloads().isEmpty()) {
                    cells.add(Cell.of(f.id(), rt.id(), "pending"));
                } else if (!rt.workloads().contains(f.workload())) {
                    cells.add(Cell.of(f.id(), rt.id(), "n/a"));
                } else if (!plan.getOrDefault(f.workload(), List.of()).contains(rt.id())) {
                    cells.add(Cell.of(f.id(), rt.id(), "not-run"));
                } else {
                    RunResult rr = find(results, f, rt.id());
                    cells.add(rr == null ? Cell.of(f.id(), rt.id(), "failed") : cell(f, rt.id(), rr));
                }
            }
        }
        return cells;
    }

    private static RunResult find(List<RunResult> results, Figure f, String runtime) {
        String prefix = BENCHES.get(f.workload()).getName() + ".";
        for (RunResult rr : results) {
            BenchmarkParams p = rr.getParams();
            if (!p.getBenchmark().startsWith(prefix) || !runtime.equals(p.getParam("runtime"))) {
                continue;
            }
            boolean match = true;
            for (Map.Entry<String, String> e : f.params().entrySet()) {
                match &= e.getValue().equals(p.getParam(e.getKey()));
            }
            if (match && !rr.getBenchmarkResults().isEmpty()) {
                return rr;
            }
        }
        return null;
    }

    private static Cell cell(Figure f, String runtime, RunResult rr) {
        Result<?> primary = rr.getPrimaryResult();
        return switch (f.metric()) {
            case SCORE -> Cell.ok(f.id(), runtime, primary.getScore(), primary.getScoreError(),
                    primary.getStatistics().getMin(), primary.getStatistics().getMax(), f.unit());
            case P50, P99 -> {
                Statistics s = primary.getStatistics();
                double q = s.getPercentile(f.metric() == Figure.Metric.P50 ? 50.0 : 99.0);
                yield Cell.ok(f.id(), runtime, q, Double.NaN, Double.NaN, Double.NaN, f.unit());
            }
            case HEAP_PEAK, HEAP_PEAK_AFTER_GC -> {
                Result<?> r = rr.getSecondaryResults().get(
                        f.metric() == Figure.Metric.HEAP_PEAK ? "heap.peak" : "heap.peakAfterGc");
                if (r == null) {
                    yield Cell.of(f.id(), runtime, "failed");
                }
                yield r.getScore() > 0
                        ? Cell.ok(f.id(), runtime, r.getScore(), Double.NaN, r.getStatistics().getMin(),
                                r.getStatistics().getMax(), f.unit())
                        : Cell.of(f.id(), runtime, "no-gc");
            }
        };
    }

    /** Every JMH result as it came, for tools that want more than the report's figures. */
    private static List<Object> raw(List<RunResult> results) {
        List<Object> out = new ArrayList<>();
        for (RunResult rr : results) {
            BenchmarkParams p = rr.getParams();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("benchmark", p.getBenchmark());
            Map<String, Object> params = new LinkedHashMap<>();
            for (String k : p.getParamsKeys()) {
                params.put(k, p.getParam(k));
            }
            m.put("params", params);
            m.put("mode", p.getMode().shortLabel());
            m.put("forks", p.getForks());
            m.put("warmupIterations", p.getWarmup().getCount());
            m.put("measurementIterations", p.getMeasurement().getCount());
            Result<?> primary = rr.getPrimaryResult();
            m.put("score", primary.getScore());
            m.put("scoreError", primary.getScoreError());
            m.put("unit", primary.getScoreUnit());
            Statistics s = primary.getStatistics();
            m.put("samples", s.getN());
            if (p.getMode().shortLabel().equals("sample")) {
                Map<String, Object> pct = new LinkedHashMap<>();
                for (double q : new double[]{50, 90, 99, 99.9, 100}) {
                    pct.put("p" + q, s.getPercentile(q));
                }
                m.put("percentiles", pct);
            }
            Map<String, Object> sec = new LinkedHashMap<>();
            for (String k : rr.getSecondaryResults().keySet()) {
                Result<?> r = rr.getSecondaryResults().get(k);
                sec.put(k, r.getScore() + " " + r.getScoreUnit());
            }
            if (!sec.isEmpty()) {
                m.put("secondary", sec);
            }
            out.add(m);
        }
        return out;
    }
}
