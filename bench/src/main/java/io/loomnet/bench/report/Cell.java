package io.loomnet.bench.report;

/**
 * One figure for one runtime.
 *
 * @param status {@code ok}, {@code failed} (the trial threw; see jmh.log), {@code pending} (Loomnet's
 *               adapter does not exist yet), {@code n/a} (the runtime does not take part in this
 *               workload) or {@code not-run} (left out by --only/--runtimes)
 * @param error  JMH's 99.9% confidence half-width, NaN where JMH gives none
 * @param min    the lowest measurement iteration (NaN for percentiles)
 * @param max    the highest measurement iteration (NaN for percentiles)
 */
public record Cell(String figure, String runtime, String status, double value, double error, double min, double max,
                   String unit) {

    public static Cell of(String figure, String runtime, String status) {
        return new Cell(figure, runtime, status, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "");
    }

    public static Cell ok(String figure, String runtime, double value, double error, double min, double max,
                          String unit) {
        return new Cell(figure, runtime, "ok", value, error, min, max, unit);
    }

    public boolean ok() {
        return "ok".equals(status);
    }
}
