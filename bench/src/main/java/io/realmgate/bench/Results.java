package io.realmgate.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Samples per subject and figure, and how many runs of each failed. */
final class Results {
    record Summary(double min, double median, double max) {
        static Summary of(List<Double> samples) {
            List<Double> s = new ArrayList<>(samples);
            Collections.sort(s);
            int n = s.size();
            double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
            return new Summary(s.get(0), median, s.get(n - 1));
        }
    }

    private final Map<String, Map<Figure, List<Double>>> samples = new LinkedHashMap<>();
    private final Map<String, Map<Figure, Integer>> failures = new LinkedHashMap<>();

    void addSubject(String subject) {
        samples.put(subject, new EnumMap<>(Figure.class));
        failures.put(subject, new EnumMap<>(Figure.class));
    }

    boolean has(String subject) {
        return samples.containsKey(subject);
    }

    void add(String subject, Figure figure, double value) {
        samples.get(subject).computeIfAbsent(figure, f -> new ArrayList<>()).add(value);
    }

    void fail(String subject, Figure figure) {
        failures.get(subject).merge(figure, 1, Integer::sum);
    }

    int failures(String subject, Figure figure) {
        return has(subject) ? failures.get(subject).getOrDefault(figure, 0) : 0;
    }

    boolean anyFailure() {
        return failures.values().stream().anyMatch(m -> !m.isEmpty());
    }

    /** Over the runs that succeeded; null when none did (or the subject was not measured). */
    Summary summary(String subject, Figure figure) {
        if (!has(subject)) {
            return null;
        }
        List<Double> s = samples.get(subject).get(figure);
        return s == null || s.isEmpty() ? null : Summary.of(s);
    }
}
