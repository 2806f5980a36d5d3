package io.realmgate.tests.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program's {@code main} from the test's own class path (the build's classes) as a child process,
 * with environment variables of the test's choosing and its output in a file: what the
 * process-level tests of the proxy and the realm need to see a program start, or refuse to, as a
 * user's {@code java -jar} would. Closing it stops the process.
 */
public final class ClassPathProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private ClassPathProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code mainClass} with {@code args} and {@code environment} added to the test's own.
     * Standard output goes to {@code output}; standard error too, unless {@code stderr} names
     * another file.
     */
    public static ClassPathProcess start(
            Class<?> mainClass,
            Map<String, String> environment,
            Path output,
            Path stderr,
            String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(output.toFile());
        if (stderr == null) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(stderr.toFile());
        }
        pb.environment().putAll(environment);
        return new ClassPathProcess(pb.start(), output);
    }

    /**
     * Waits until the output contains {@code text}, the process exits, or {@code within} passes;
     * then returns the output so far.
     */
    public String awaitOutput(String text, Duration within)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!Files.readString(output).contains(text)
                && process.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return Files.readString(output);
    }

    /** The exit status once the process has ended within {@code within}; else it fails. */
    public int exitStatus(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("still running after " + within);
        }
        return process.exitValue();
    }

    /** The whole output, read now. */
    public String output() throws IOException {
        return Files.readString(output);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
