package io.realmgate.tests.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A ConfigMap or Secret volume as the kubelet lays it out and updates it (its AtomicWriter): the
 * files live in a timestamped directory {@code ..2024_05_01_12_00_00.123456789}; {@code ..data} is
 * a symbolic link to it; each visible file {@code NAME} is a symbolic link to {@code ..data/NAME}.
 * An update writes a new timestamped directory, points a new link {@code ..data_tmp} at it, renames
 * that over {@code ..data} (one atomic rename: a reader sees either every old file or every new
 * one) and deletes the old directory. Used by the proxy's and the realm's reload tests.
 */
public final class KubeletVolume {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss");
    private final Path dir;
    private int generation;

    public KubeletVolume(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** The path a program is given: {@code <volume>/NAME}, a symbolic link. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Writes the volume's whole content as the kubelet does, first time or update. */
    public void write(Map<String, String> files) throws IOException {
        Path data = dir.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        String name =
                ".."
                        + LocalDateTime.now().format(STAMP)
                        + "."
                        + String.format("%09d", ++generation);
        Path fresh = Files.createDirectory(dir.resolve(name));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(fresh.resolve(file.getKey()), file.getValue());
        }
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(name));
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String file : files.keySet()) {
            Path visible = dir.resolve(file);
            if (!Files.isSymbolicLink(visible)) {
                Files.createSymbolicLink(visible, Path.of("..data").resolve(file));
            }
        }
        if (old != null) {
            try (Stream<Path> walk = Files.walk(old)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
