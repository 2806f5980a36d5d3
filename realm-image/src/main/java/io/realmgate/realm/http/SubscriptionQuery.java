package io.realmgate.realm.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.realmgate.realm.hub.ChannelName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fallback transports' subscriptions, from the query string: {@code sub=NAME} (live only) or
 * {@code sub=NAME:ID} (resume after ID), repeated for several channels.
 */
final class SubscriptionQuery {
    private SubscriptionQuery() {}

    /** Channel to resume id ({@code -1}: live only), in the order given. */
    static Map<String, Long> parse(QueryStringDecoder query, int max) {
        List<String> subs = query.parameters().getOrDefault("sub", List.of());
        if (subs.isEmpty()) {
            throw new IllegalArgumentException("give at least one sub=CHANNEL or sub=CHANNEL:ID");
        }
        if (subs.size() > max) {
            throw new IllegalArgumentException("at most " + max + " subscriptions per connection");
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (String s : subs) {
            int colon = s.lastIndexOf(':');
            String name = colon < 0 ? s : s.substring(0, colon);
            long from = -1;
            if (colon >= 0) {
                try {
                    from = Long.parseLong(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    from = -2;
                }
                if (from < 0) {
                    throw new IllegalArgumentException(
                            "'" + s + "': the id after ':' must be a non-negative whole number");
                }
            }
            if (!ChannelName.valid(name)) {
                throw new IllegalArgumentException(
                        "'"
                                + name
                                + "': channel names are 1-"
                                + ChannelName.MAX_LENGTH
                                + " characters of A-Z a-z 0-9 . _ ~ / -");
            }
            out.put(name, from);
        }
        return out;
    }
}
