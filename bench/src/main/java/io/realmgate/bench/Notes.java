package io.realmgate.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What the report says under its tables (failures, skipped peers, anything a proxy logged), and
 * progress on stderr, so stdout carries only the report.
 */
final class Notes {
    private final List<String> notes = new ArrayList<>();

    synchronized void add(String text) {
        notes.add(text);
        progress("note: " + text);
    }

    synchronized List<String> all() {
        return List.copyOf(notes);
    }

    static void progress(String text) {
        System.err.println("bench: " + text);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
