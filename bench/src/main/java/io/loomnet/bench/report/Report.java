package io.loomnet.bench.report;

import io.loomnet.bench.api.RuntimeInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A finished run: environment, runtimes (columns), figures (rows) and one cell per row and column. */
public record Report(Map<String, Object> environment, List<RuntimeInfo> runtimes, List<Figure> figures,
                     List<Cell> cells) {

    public Cell cell(String figure, String runtime) {
        for (Cell c : cells) {
            if (c.figure().equals(figure) && c.runtime().equals(runtime)) {
                return c;
            }
        }
        return Cell.of(figure, runtime, "n/a");
    }

    /** Loomnet's figure over the peer's, oriented so that more than 1 means Loomnet is better; NaN if either is missing. */
    public double ratio(Figure f, String loomnet, String peer) {
        Cell l = cell(f.id(), loomnet);
        Cell p = cell(f.id(), peer);
        if (!l.ok() || !p.ok() || l.value() <= 0 || p.value() <= 0) {
            return Double.NaN;
        }
        return f.higherIsBetter() ? l.value() / p.value() : p.value() / l.value();
    }

    /** The whole run as the structure written to results.json. */
    public Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("environment", environment);
        List<Object> rts = new ArrayList<>();
        for (RuntimeInfo r : runtimes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("label", r.label());
            m.put("kind", r.kind().name().toLowerCase());
            m.put("version", r.version());
            m.put("status", r.kind() == RuntimeInfo.Kind.LOOMNET && r.workloads().isEmpty() ? "pending" : "runnable");
            rts.add(m);
        }
        root.put("runtimes", rts);
        List<Object> figs = new ArrayList<>();
        for (Figure f : figures) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", f.id());
            m.put("workload", f.workload().id());
            m.put("title", f.title());
            m.put("unit", f.unit());
            m.put("better", f.higherIsBetter() ? "higher" : "lower");
            Map<String, Object> values = new LinkedHashMap<>();
            for (RuntimeInfo r : runtimes) {
                Cell c = cell(f.id(), r.id());
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("status", c.status());
                if (c.ok()) {
                    v.put("value", c.value());
                    v.put("error", c.error());
                    v.put("min", c.min());
                    v.put("max", c.max());
                }
                values.put(r.id(), v);
            }
            m.put("results", values);
            Map<String, Object> ratios = new LinkedHashMap<>();
            for (RuntimeInfo l : runtimes) {
                if (l.kind() != RuntimeInfo.Kind.LOOMNET) {
                    continue;
                }
                for (RuntimeInfo p : runtimes) {
                    if (p.kind() == RuntimeInfo.Kind.LOOMNET) {
                        continue;
                    }
                    double q = ratio(f, l.id(), p.id());
                    if (!Double.isNaN(q)) {
                        ratios.put(l.id() + "/" + p.id(), q);
                    }
                }
            }
            m.put("loomnetRatios", ratios);
            figs.add(m);
        }
        root.put("figures", figs);
        return root;
    }
}
