package io.realmgate.realm.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.realmgate.realm.hub.ChannelName;
import io.realmgate.realm.hub.Epoch;
import io.realmgate.realm.hub.Position;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fallback transports' subscriptions, from the query string: {@code sub=NAME} (live only) or
 * {@code sub=NAME:ID} (resume after ID), repeated for several channels, and {@code
 * epoch=NAME:EPOCH} for a channel whose ID belongs to that epoch. The epoch has a parameter of its
 * own, not a third part of {@code sub}, so that a realm that knows no epochs ignores it instead of
 * refusing the request.
 */
final class SubscriptionQuery {
    private SubscriptionQuery() {}

    /** Channel to position ({@code from} -1: live only), in the order given. */
    static Map<String, Position> parse(QueryStringDecoder query, int max) {
        List<String> subs = query.parameters().getOrDefault("sub", List.of());
        if (subs.isEmpty()) {
            throw new IllegalArgumentException("give at least one sub=CHANNEL or sub=CHANNEL:ID");
        }
        if (subs.size() > max) {
            throw new IllegalArgumentException("at most " + max + " subscriptions per connection");
        }
        Map<String, Long> froms = new LinkedHashMap<>();
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
            checkName(name);
            froms.put(name, from);
        }
        Map<String, String> epochs = epochs(query, froms);
        Map<String, Position> out = new LinkedHashMap<>();
        froms.forEach((name, from) -> out.put(name, new Position(from, epochs.get(name))));
        return out;
    }

    private static Map<String, String> epochs(QueryStringDecoder query, Map<String, Long> froms) {
        Map<String, String> out = new HashMap<>();
        for (String e : query.parameters().getOrDefault("epoch", List.of())) {
            // Channel names hold no ':', so the first one ends the name.
            int colon = e.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + e + "': epoch= takes CHANNEL:EPOCH");
            }
            String name = e.substring(0, colon);
            String epoch = e.substring(colon + 1);
            checkName(name);
            if (!Epoch.valid(epoch)) {
                throw new IllegalArgumentException("'" + e + "': " + Epoch.rule());
            }
            if (!froms.containsKey(name)) {
                throw new IllegalArgumentException(
                        "'" + e + "': channel '" + name + "' has no sub= in this request");
            }
            if (out.put(name, epoch) != null) {
                throw new IllegalArgumentException(
                        "'" + e + "': channel '" + name + "' has more than one epoch=");
            }
        }
        return out;
    }

    private static void checkName(String name) {
        if (!ChannelName.valid(name)) {
            throw new IllegalArgumentException(
                    "'"
                            + name
                            + "': channel names are 1-"
                            + ChannelName.MAX_LENGTH
                            + " characters of A-Z a-z 0-9 . _ ~ / -");
        }
    }
}
