package io.realmgate.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The results as one PNG, drawn with Java2D (no charting library): one panel per figure group, a
 * bar per subject at the median with a min–max whisker and the median written on it, each panel
 * titled with its unit and which direction is better, and a legend cell that says how the run was
 * made.
 */
final class ChartPng {
    static final int WIDTH = 1400;
    static final int HEIGHT = 1400;
    private static final int COLUMNS = 3;
    private static final int ROWS = 3;
    private static final int TOP = 64;

    private static final Map<String, Color> COLORS =
            Map.of(
                    Subject.DIRECT, new Color(0x80, 0x80, 0x80),
                    Subject.REALMGATE, new Color(0x1f, 0x6f, 0xc5),
                    Subject.APACHE, new Color(0xc8, 0x3c, 0x32),
                    Subject.SQUID, new Color(0x3a, 0x9a, 0x4a),
                    Subject.TINYPROXY, new Color(0x8e, 0x5b, 0xb8),
                    Subject.CEILING, new Color(0xd8, 0xa0, 0x20));

    private ChartPng() {}

    static void write(
            Results results,
            List<String> subjects,
            BenchOptions o,
            String title,
            List<String> caption,
            Path file)
            throws IOException {
        // Before any AWT class is touched: no display here, and none is needed to draw into an
        // image.
        System.setProperty("java.awt.headless", "true");
        if (!ImageIO.write(render(results, subjects, o, title, caption), "png", file.toFile())) {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }

    static BufferedImage render(
            Results results,
            List<String> subjects,
            BenchOptions o,
            String title,
            List<String> caption) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
            g.drawString(title, 20, 32);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString(
                    "Bars: median of the repeats; whiskers: min–max. Loopback, side by side in one run.",
                    20,
                    54);
            int cellW = WIDTH / COLUMNS;
            int cellH = (HEIGHT - TOP) / ROWS;
            int i = 0;
            for (Figure.Panel panel : Figure.Panel.values()) {
                drawPanel(
                        g,
                        panel,
                        results,
                        subjects,
                        o,
                        (i % COLUMNS) * cellW,
                        TOP + (i / COLUMNS) * cellH,
                        cellW,
                        cellH);
                i++;
            }
            drawLegend(
                    g,
                    subjects,
                    caption,
                    (i % COLUMNS) * cellW,
                    TOP + (i / COLUMNS) * cellH,
                    cellW,
                    cellH);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawPanel(
            Graphics2D g,
            Figure.Panel panel,
            Results results,
            List<String> subjects,
            BenchOptions o,
            int x,
            int y,
            int w,
            int h) {
        List<Figure> figures =
                Arrays.stream(Figure.values()).filter(f -> f.panel == panel).toList();
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(panel.title, x + 14, y + 22);
        // Only the subjects with a value somewhere in this panel get a slot (direct has no proxy
        // memory).
        List<String> shown =
                subjects.stream()
                        .filter(s -> figures.stream().anyMatch(f -> results.summary(s, f) != null))
                        .toList();
        int top = y + 44;
        int bottom = y + h - 44;
        if (shown.isEmpty()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 14));
            g.setColor(Color.GRAY);
            g.drawString("not measured in this run", x + 64, (top + bottom) / 2);
            return;
        }
        double[] maxima = figures.stream().mapToDouble(f -> max(results, shown, f)).toArray();
        double hi = Arrays.stream(maxima).max().orElse(0);
        double lo = Arrays.stream(maxima).filter(m -> m > 0).min().orElse(hi);
        if (hi <= 4 * lo) {
            // One axis: the groups are comparable by height (e.g. throughput up, down, parallel).
            drawGroups(g, figures, shown, results, o, hi, x + 64, x + w - 14, top, bottom);
            return;
        }
        // Groups more than 4x apart (p50 beside p99, one connection beside 64 threads) get an axis
        // each, or the smaller group's bars would be a few pixels high.
        int subW = (w - 14) / figures.size();
        for (int i = 0; i < figures.size(); i++) {
            int sx = x + i * subW;
            drawGroups(
                    g,
                    List.of(figures.get(i)),
                    shown,
                    results,
                    o,
                    maxima[i],
                    sx + 64,
                    sx + subW - 6,
                    top,
                    bottom);
        }
    }

    private static double max(Results results, List<String> shown, Figure f) {
        double max = 0;
        for (String s : shown) {
            Results.Summary sum = results.summary(s, f);
            if (sum != null) {
                max = Math.max(max, sum.max());
            }
        }
        return max;
    }

    /**
     * An axis from 0 to a little above {@code max} (room for the labels), and a bar group per
     * figure.
     */
    private static void drawGroups(
            Graphics2D g,
            List<Figure> figures,
            List<String> shown,
            Results results,
            BenchOptions o,
            double max,
            int left,
            int right,
            int top,
            int bottom) {
        double span = max > 0 ? max * 1.18 : 1;
        double step = niceStep(span, 5);
        double axisMax = Math.ceil(span / step) * step;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        // At most about 7 ticks: span / step is between 2.5 and 5, and ceil adds one.
        for (double t = 0; t <= axisMax + step / 2; t += step) {
            int ty = bottom - (int) Math.round(t / axisMax * (bottom - top));
            g.setColor(new Color(0xe4, 0xe4, 0xe4));
            g.drawLine(left, ty, right, ty);
            g.setColor(Color.DARK_GRAY);
            String label = tick(t, step);
            g.drawString(label, left - 6 - fm.stringWidth(label), ty + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        int groupW = (right - left) / figures.size();
        int barW = Math.max(6, Math.min(40, (groupW - 16) / shown.size()));
        for (int fi = 0; fi < figures.size(); fi++) {
            Figure f = figures.get(fi);
            int gx = left + fi * groupW + (groupW - barW * shown.size()) / 2;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.setColor(Color.BLACK);
            String name = f.series(o);
            int nameW = g.getFontMetrics().stringWidth(name);
            g.drawString(name, left + fi * groupW + (groupW - nameW) / 2, bottom + 20);
            for (int si = 0; si < shown.size(); si++) {
                Results.Summary sum = results.summary(shown.get(si), f);
                if (sum != null) {
                    drawBar(
                            g,
                            sum,
                            f,
                            COLORS.getOrDefault(shown.get(si), Color.BLACK),
                            gx + si * barW,
                            barW,
                            axisMax,
                            top,
                            bottom);
                }
            }
        }
    }

    private static void drawBar(
            Graphics2D g,
            Results.Summary sum,
            Figure f,
            Color color,
            int bx,
            int barW,
            double axisMax,
            int top,
            int bottom) {
        int by = bottom - (int) Math.round(sum.median() / axisMax * (bottom - top));
        g.setColor(color);
        g.fillRect(bx + 1, by, barW - 2, bottom - by);
        int yMin = bottom - (int) Math.round(sum.min() / axisMax * (bottom - top));
        int yMax = bottom - (int) Math.round(sum.max() / axisMax * (bottom - top));
        int cx = bx + barW / 2;
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(cx, yMin, cx, yMax);
        g.drawLine(cx - barW / 4, yMin, cx + barW / 4, yMin);
        g.drawLine(cx - barW / 4, yMax, cx + barW / 4, yMax);
        g.setStroke(new BasicStroke(1f));
        valueLabel(g, f.format(sum.median()), cx, Math.min(yMax, by) - 4);
    }

    /** The median above its whisker, turned upright so neighbouring bars' labels never overlap. */
    private static void valueLabel(Graphics2D g, String text, int cx, int baseY) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        AffineTransform saved = g.getTransform();
        g.translate(cx + fm.getAscent() / 2 - 1, baseY);
        g.rotate(-Math.PI / 2);
        g.setColor(Color.BLACK);
        g.drawString(text, 0, 0);
        g.setTransform(saved);
    }

    private static void drawLegend(
            Graphics2D g, List<String> subjects, List<String> caption, int x, int y, int w, int h) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Subjects", x + 14, y + 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int ly = y + 46;
        for (String s : subjects) {
            g.setColor(COLORS.getOrDefault(s, Color.BLACK));
            g.fillRect(x + 16, ly - 12, 22, 14);
            g.setColor(Color.BLACK);
            g.drawString(s, x + 46, ly);
            ly += 22;
        }
        ly += 8;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (String line : caption) {
            for (String wrapped : wrap(line, fm, w - 30)) {
                if (ly > y + h - 6) {
                    return;
                }
                g.drawString(wrapped, x + 16, ly);
                ly += fm.getHeight();
            }
        }
    }

    static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && fm.stringWidth(line + " " + word) > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /**
     * 1, 2, 2.5 or 5 times a power of ten, giving about {@code ticks} intervals up to {@code max}.
     */
    static double niceStep(double max, int ticks) {
        double raw = max / ticks;
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * pow >= raw) {
                return m * pow;
            }
        }
        return 10 * pow;
    }

    private static String tick(double t, double step) {
        if (step >= 1) {
            return String.format(Locale.ROOT, "%.0f", t);
        }
        // 0.5 → 1 decimal, 0.25 → 2, 0.02 → 2.
        int decimals = (int) Math.ceil(-Math.log10(step) - 1e-9);
        double scaled = step * Math.pow(10, decimals);
        if (Math.abs(scaled - Math.rint(scaled)) > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + Math.min(4, decimals) + "f", t);
    }
}
