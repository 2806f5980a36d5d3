package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartPngTest {
    @Test
    void writesAPngOfTheStatedSize(@TempDir Path dir) throws Exception {
        Results results = new Results();
        List<String> subjects = List.of("direct", "realmgate", "apache", "squid", "tinyproxy");
        subjects.forEach(results::addSubject);
        double base = 1;
        for (String s : subjects) {
            for (Figure f : Figure.values()) {
                if (s.equals("direct") && f.ofProxyProcess()) {
                    continue; // direct has no proxy: no memory, CPU or cold start, as in a run
                }
                // p99 far above p50, as in real runs: that panel draws an axis per group.
                double v = f == Figure.WS_P99 ? base * 20 : base;
                results.add(s, f, v);
                results.add(s, f, v * 1.5);
                results.add(s, f, v * 0.75);
            }
            base *= 1.7;
        }
        results.fail("tinyproxy", Figure.WS_P99);
        BenchOptions o = BenchOptions.parse("--quick");
        Path png = dir.resolve("results.png");

        ChartPng.write(
                results,
                subjects,
                o,
                "Realmgate benchmark (test)",
                List.of(
                        "a caption line that is long enough "
                                + "to be wrapped over more than one line inside the legend cell of the chart"),
                png);

        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(ChartPng.WIDTH).isEqualTo(1400);
        assertThat(img.getHeight()).isEqualTo(ChartPng.HEIGHT).isEqualTo(1400);
        // Something was drawn in each panel's colours: the realmgate blue appears.
        boolean blue = false;
        for (int y = 0; y < img.getHeight() && !blue; y += 2) {
            for (int x = 0; x < img.getWidth() && !blue; x += 2) {
                blue = (img.getRGB(x, y) & 0xffffff) == 0x1f6fc5;
            }
        }
        assertThat(blue).isTrue();
    }

    @Test
    void niceSteps() {
        assertThat(ChartPng.niceStep(10, 5)).isEqualTo(2);
        assertThat(ChartPng.niceStep(4.4, 5)).isEqualTo(1);
        assertThat(ChartPng.niceStep(12_000, 5)).isEqualTo(2500);
        assertThat(ChartPng.niceStep(0.9, 5)).isEqualTo(0.2);
    }
}
