package io.realmgate.proxy.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * What a watched file looks like from outside, read through symbolic links: its modification time,
 * size and file key (device and inode on Linux). A Kubernetes ConfigMap or Secret volume updates a
 * file by writing a new timestamped directory and renaming the {@code ..data} symbolic link over
 * the old one; the file's path is a symbolic link into {@code ..data}, so after the swap it
 * resolves to a new file with a new inode. The file key tells that apart even when the clock or the
 * file system's time resolution gives both the same time and size.
 *
 * @param fileKey null where the platform has none
 */
public record FileStamp(FileTime modified, long size, Object fileKey) {

    /** The file's stamp now; empty while it cannot be read (mid-swap, or gone). */
    public static Optional<FileStamp> of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new FileStamp(a.lastModifiedTime(), a.size(), a.fileKey()));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
