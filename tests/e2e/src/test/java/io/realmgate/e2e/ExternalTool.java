package io.realmgate.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test needs from the machine (Chromium, chromedriver, node, npm). Missing on a
 * developer's machine: the test is skipped, saying what to install. Missing in CI ({@code
 * CI=true}): the test fails, because .ci/run is supposed to have installed it.
 */
final class ExternalTool {
    private ExternalTool() {}

    static Path require(String what, String install, String... candidates) {
        for (String c : candidates) {
            Path p = c.contains("/") ? Path.of(c) : onPath(c);
            if (p != null && Files.isExecutable(p)) {
                return p;
            }
        }
        String message =
                what
                        + " not found (looked for "
                        + List.of(candidates)
                        + "); install it with: "
                        + install;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: .ci/run should have installed it)");
        }
        Assumptions.abort(message);
        return null;
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Fails in CI, skips elsewhere, for a tool that is present but not usable (e.g. npm cannot
     * install).
     */
    static void unusable(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }
}
