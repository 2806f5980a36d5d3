package io.realmgate.kube;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The requests one client sends, counted in the API server's terms ({@link ApiRequests}), so a test
 * can take its own requests out of the API server's count and keep what the rest (the operator)
 * sent. Installed on a Fabric8 client as an interceptor; requests to non-resource paths ({@code
 * /metrics}, {@code /version}) are not counted, as the API server counts them under no resource.
 */
final class ClientRequestTally implements Interceptor {
    private final Map<ApiRequests.Key, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        ApiRequests.Key key = classify(request.method(), request.uri());
        if (key != null) {
            counts.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
    }

    ApiRequests snapshot() {
        Map<ApiRequests.Key, Long> copy = new TreeMap<>();
        counts.forEach((key, n) -> copy.put(key, n.sum()));
        return new ApiRequests(copy);
    }

    /**
     * The API server's verb, resource and subresource of a request; null for a non-resource path.
     */
    static ApiRequests.Key classify(String method, URI uri) {
        List<String> path =
                Arrays.stream(uri.getRawPath().split("/")).filter(s -> !s.isEmpty()).toList();
        int version;
        if (path.size() >= 2 && path.get(0).equals("api")) {
            version = 1;
        } else if (path.size() >= 3 && path.get(0).equals("apis")) {
            version = 2;
        } else {
            return null;
        }
        List<String> rest = path.subList(version + 1, path.size());
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty()) {
            return null;
        }
        String resource = rest.get(0);
        boolean collection = rest.size() == 1;
        String subresource = rest.size() >= 3 ? rest.get(2) : "";
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        boolean watch =
                Arrays.stream(query.split("&"))
                        .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        String verb =
                switch (method) {
                    case "GET" -> watch ? "WATCH" : collection ? "LIST" : "GET";
                    case "DELETE" -> collection ? "DELETECOLLECTION" : "DELETE";
                    default -> method;
                };
        return new ApiRequests.Key(verb, resource, subresource);
    }
}
