package io.realmgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts of API requests by verb, resource and subresource, in the API server's own terms: its
 * {@code apiserver_request_total} counter ({@link #scrape}), or a client's own tally in the same
 * terms ({@link ClientRequestTally}). Verbs are the API server's: {@code GET}, {@code LIST}, {@code
 * WATCH}, {@code POST}, {@code PUT}, {@code PATCH} (a server-side apply too: Kubernetes 1.34 counts
 * it as a patch), {@code DELETE}, {@code DELETECOLLECTION}.
 */
record ApiRequests(Map<Key, Long> counts) {
    /** The verbs that change something stored. */
    static final Set<String> WRITE_VERBS =
            Set.of("POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION");

    private static final Pattern SAMPLE =
            Pattern.compile("^apiserver_request_total\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One kind of request: {@code PATCH deployments}, {@code PATCH realms/status}. */
    record Key(String verb, String resource, String subresource) implements Comparable<Key> {
        boolean write() {
            return WRITE_VERBS.contains(verb);
        }

        @Override
        public int compareTo(Key o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource);
        }
    }

    ApiRequests {
        counts = Collections.unmodifiableMap(new TreeMap<>(counts));
    }

    /**
     * The API server's {@code apiserver_request_total}, read from its {@code /metrics}, summed over
     * response codes, groups and versions. The scrape itself is a non-resource request and counts
     * nowhere here.
     */
    static ApiRequests scrape(KubernetesClient client) {
        String text =
                client.raw(client.getMasterUrl().toString().replaceAll("/$", "") + "/metrics");
        if (text == null) {
            throw new IllegalStateException("the API server answered no /metrics");
        }
        Map<Key, Long> counts = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.find()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            Matcher label = LABEL.matcher(sample.group(1));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            String resource = labels.getOrDefault("resource", "");
            if (resource.isEmpty()) {
                continue;
            }
            Key key =
                    new Key(
                            labels.getOrDefault("verb", ""),
                            resource,
                            labels.getOrDefault("subresource", ""));
            counts.merge(key, (long) Double.parseDouble(sample.group(2)), Long::sum);
        }
        if (counts.isEmpty()) {
            throw new IllegalStateException(
                    "the API server's /metrics has no apiserver_request_total by resource");
        }
        return new ApiRequests(counts);
    }

    /** What was counted here and not in {@code earlier}: the requests in between. */
    ApiRequests minus(ApiRequests earlier) {
        Map<Key, Long> diff = new TreeMap<>();
        Set<Key> keys = new java.util.TreeSet<>(counts.keySet());
        keys.addAll(earlier.counts.keySet());
        for (Key key : keys) {
            long n = counts.getOrDefault(key, 0L) - earlier.counts.getOrDefault(key, 0L);
            if (n != 0) {
                diff.put(key, n);
            }
        }
        return new ApiRequests(diff);
    }

    ApiRequests only(Predicate<Key> which) {
        Map<Key, Long> kept = new TreeMap<>();
        counts.forEach(
                (key, n) -> {
                    if (which.test(key)) {
                        kept.put(key, n);
                    }
                });
        return new ApiRequests(kept);
    }

    ApiRequests onResources(Set<String> resources) {
        return only(key -> resources.contains(key.resource()));
    }

    ApiRequests writes() {
        return only(Key::write);
    }

    long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Totals by verb. */
    Map<String, Long> byVerb() {
        Map<String, Long> verbs = new TreeMap<>();
        counts.forEach((key, n) -> verbs.merge(key.verb(), n, Long::sum));
        return verbs;
    }
}
