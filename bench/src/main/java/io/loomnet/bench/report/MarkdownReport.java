package io.loomnet.bench.report;

import io.loomnet.bench.api.RuntimeInfo;

import java.util.List;
import java.util.Map;

/** results.md: the figures table, then Loomnet's ratio to each peer, one table per dispatcher. */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    public static String render(Report r) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> env = r.environment();
        sb.append("# Loomnet bench: ").append(env.get("profile")).append(" run, ").append(env.get("timestamp"))
                .append("\n\n");
        sb.append(String.format("- Machine: %s CPUs (%s), %s RAM, %s%n", env.get("cpus"), env.get("cpuModel"),
                env.get("memTotal"), env.get("os")));
        sb.append(String.format("- JDK: %s (%s)%n", env.get("javaRuntime"), env.get("javaVendor")));
        sb.append(String.format("- Benchmark JVMs: `%s`; %s%n", env.get("forkJvmArgs"), env.get("settings")));
        sb.append(String.format("- Libraries: %s%n", env.get("libraries")));
        sb.append(String.format("- Commit: %s; run took %s; load average (1/5/15 min) %s%n%n", env.get("commit"),
                env.get("duration"), env.get("loadAverage")));

        sb.append("## Figures\n\n");
        sb.append("| Workload | Unit |");
        for (RuntimeInfo rt : r.runtimes()) {
            sb.append(' ').append(rt.label()).append(" |");
        }
        sb.append("\n|---|---|");
        sb.append("---:|".repeat(r.runtimes().size()));
        sb.append('\n');
        for (Figure f : r.figures()) {
            sb.append("| ").append(f.title()).append(" | ").append(f.unit())
                    .append(f.higherIsBetter() ? " (higher is better)" : " (lower is better)").append(" |");
            for (RuntimeInfo rt : r.runtimes()) {
                sb.append(' ').append(cellText(r.cell(f.id(), rt.id()))).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nCells: JMH's score (the mean over measurement iterations; for Skynet heap the highest"
                + " iteration) with the lowest and highest iteration in brackets; JMH's 99.9% confidence"
                + " intervals are in results.json. *pending*: Loomnet's adapter is not written yet;"
                + " — : the runtime does not run this workload; FAILED: the trial threw (see jmh.log).\n\n");

        List<RuntimeInfo> peers = r.runtimes().stream().filter(x -> x.kind() != RuntimeInfo.Kind.LOOMNET).toList();
        sb.append("## Loomnet relative to each peer\n\n");
        boolean anyLoomnet = r.cells().stream().anyMatch(c -> c.ok()
                && r.runtimes().stream().anyMatch(x -> x.id().equals(c.runtime()) && x.kind() == RuntimeInfo.Kind.LOOMNET));
        if (!anyLoomnet) {
            sb.append("*Pending*: no Loomnet dispatcher has run yet. Once the Loomnet adapter exists, this section"
                    + " has one table per dispatcher (VIRTUAL, PLATFORM, POOLED) with its figure divided by each"
                    + " peer's, turned round for lower-is-better figures so that above 1 means Loomnet does"
                    + " better.\n");
            return sb.toString();
        }
        sb.append("Loomnet's figure divided by the peer's, turned round for lower-is-better figures, so that"
                + " above 1 always means Loomnet does better.\n\n");
        for (RuntimeInfo l : r.runtimes()) {
            if (l.kind() != RuntimeInfo.Kind.LOOMNET) {
                continue;
            }
            sb.append("### ").append(l.label()).append("\n\n| Workload |");
            for (RuntimeInfo p : peers) {
                sb.append(" vs ").append(p.label()).append(" |");
            }
            sb.append("\n|---|").append("---:|".repeat(peers.size())).append('\n');
            for (Figure f : r.figures()) {
                sb.append("| ").append(f.title()).append(" |");
                for (RuntimeInfo p : peers) {
                    sb.append(' ').append(ratioText(r, f, l, p)).append(" |");
                }
                sb.append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String cellText(Cell c) {
        return switch (c.status()) {
            case "ok" -> {
                String v = Figure.format(c.value());
                if (!Double.isNaN(c.min()) && !Double.isNaN(c.max()) && c.max() > c.min()) {
                    v += " (" + Figure.format(c.min()).replace(" ", " ") + "–"
                            + Figure.format(c.max()).replace(" ", " ") + ")";
                }
                yield v;
            }
            case "pending" -> "*pending*";
            case "n/a" -> "—";
            case "failed" -> "FAILED";
            default -> c.status();
        };
    }

    private static String ratioText(Report r, Figure f, RuntimeInfo l, RuntimeInfo p) {
        Cell lc = r.cell(f.id(), l.id());
        Cell pc = r.cell(f.id(), p.id());
        if ("n/a".equals(pc.status())) {
            return "—";
        }
        if (!lc.ok()) {
            return "pending".equals(lc.status()) ? "*pending*" : lc.status();
        }
        if (!pc.ok()) {
            return pc.status();
        }
        return String.format("%.2f×", r.ratio(f, l.id(), p.id()));
    }
}
