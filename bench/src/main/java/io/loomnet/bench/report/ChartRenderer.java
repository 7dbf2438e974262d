package io.loomnet.bench.report;

import io.loomnet.bench.api.RuntimeInfo;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * results.png, drawn with Java2D (headless): one panel per figure, one horizontal bar per runtime,
 * bars scaled to the panel's largest value, the value printed at the end of each bar. Pending and
 * failed runtimes get a label instead of a bar, so Loomnet's columns show as pending.
 */
public final class ChartRenderer {
    private static final int COLS = 2;
    private static final int PANEL_W = 620;
    private static final int ROW_H = 22;
    private static final int LABEL_W = 150;
    private static final int HEADER_H = 70;
    private static final Color[] PALETTE = {
        new Color(0x1f5fa8), new Color(0x3d8fd6), new Color(0x8cc0ea), // Loomnet dispatchers
        new Color(0xe07b28), new Color(0x3a9a4a), new Color(0x8459b0), new Color(0x6d6d6d),
        new Color(0xb8860b), new Color(0x2aa198)
    };

    private ChartRenderer() {
    }

    public static void write(Report r, Path png) throws IOException {
        List<Figure> figs = new ArrayList<>();
        for (Figure f : r.figures()) {
            if (!rows(r, f).isEmpty()) {
                figs.add(f);
            }
        }
        int[] heights = new int[figs.size()];
        for (int i = 0; i < figs.size(); i++) {
            heights[i] = 44 + rows(r, figs.get(i)).size() * ROW_H + 12;
        }
        int rowsOfPanels = (figs.size() + COLS - 1) / COLS;
        int[] rowH = new int[rowsOfPanels];
        for (int i = 0; i < figs.size(); i++) {
            rowH[i / COLS] = Math.max(rowH[i / COLS], heights[i]);
        }
        int height = HEADER_H;
        for (int h : rowH) {
            height += h;
        }
        int width = COLS * PANEL_W + 20;
        BufferedImage img = new BufferedImage(width, height + 10, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height + 10);
            Map<String, Object> env = r.environment();
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString("Loomnet bench, " + env.get("profile") + " run " + env.get("timestamp"), 14, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(env.get("cpus") + " CPUs (" + env.get("cpuModel") + "), JDK " + env.get("javaVersion")
                    + ", " + env.get("forkJvmArgs") + ". Bars scaled per panel; whiskers: lowest to highest iteration.",
                    14, 48);
            int y = HEADER_H;
            for (int row = 0; row < rowsOfPanels; row++) {
                for (int col = 0; col < COLS; col++) {
                    int i = row * COLS + col;
                    if (i < figs.size()) {
                        panel(g, r, figs.get(i), 10 + col * PANEL_W, y);
                    }
                }
                y += rowH[row];
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", png.toFile());
    }

    /** The runtimes shown in a figure's panel: those that take part, have run or are pending. */
    private static List<RuntimeInfo> rows(Report r, Figure f) {
        List<RuntimeInfo> out = new ArrayList<>();
        for (RuntimeInfo rt : r.runtimes()) {
            String s = r.cell(f.id(), rt.id()).status();
            boolean pendingHere = "pending".equals(s);
            if ("ok".equals(s) || "failed".equals(s) || pendingHere) {
                out.add(rt);
            }
        }
        boolean anyRun = out.stream().anyMatch(rt -> !"pending".equals(r.cell(f.id(), rt.id()).status()));
        return anyRun ? out : List.of();
    }

    private static void panel(Graphics2D g, Report r, Figure f, int x, int y) {
        List<RuntimeInfo> rows = rows(r, f);
        double max = 0;
        for (RuntimeInfo rt : rows) {
            Cell c = r.cell(f.id(), rt.id());
            if (c.ok()) {
                max = Math.max(max, c.value());
            }
        }
        g.setColor(new Color(0x222222));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(f.title(), x + 4, y + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(new Color(0x555555));
        g.drawString(f.unit() + ", " + (f.higherIsBetter() ? "higher is better" : "lower is better"), x + 4, y + 34);
        int barMax = (int) ((PANEL_W - LABEL_W - 80) / 1.15);
        int by = y + 44;
        List<RuntimeInfo> all = r.runtimes();
        for (RuntimeInfo rt : rows) {
            Cell c = r.cell(f.id(), rt.id());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.BLACK);
            g.drawString(rt.label(), x + 4, by + 15);
            int bx = x + LABEL_W;
            if (c.ok()) {
                int w = max > 0 ? (int) Math.max(2, Math.round(barMax * c.value() / max)) : 2;
                g.setColor(PALETTE[all.indexOf(rt) % PALETTE.length]);
                g.fillRect(bx, by + 3, w, ROW_H - 6);
                g.setColor(Color.BLACK);
                int textX = bx + w + 6;
                if (!Double.isNaN(c.min()) && !Double.isNaN(c.max()) && c.max() > c.min() && max > 0) {
                    // Whisker from the lowest to the highest measurement iteration.
                    int x0 = bx + (int) Math.round(barMax * c.min() / max);
                    int x1 = bx + (int) Math.round(barMax * Math.min(c.max(), max * 1.15) / max);
                    int my = by + ROW_H / 2;
                    g.setColor(new Color(0x333333));
                    g.drawLine(x0, my, x1, my);
                    g.drawLine(x0, my - 4, x0, my + 4);
                    g.drawLine(x1, my - 4, x1, my + 4);
                    g.setColor(Color.BLACK);
                    textX = Math.max(textX, x1 + 6);
                }
                g.drawString(Figure.format(c.value()), textX, by + 15);
            } else {
                g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
                g.setColor("failed".equals(c.status()) ? new Color(0xc0392b) : new Color(0x999999));
                g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{4f, 3f}, 0f));
                g.drawRect(bx, by + 3, 60, ROW_H - 6);
                g.setStroke(new BasicStroke(1f));
                g.drawString("failed".equals(c.status()) ? "FAILED" : "pending", bx + 68, by + 15);
            }
            by += ROW_H;
        }
    }
}
