package io.realmgate.realm.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Browser origins ({@code scheme://host[:port]}) as the realm compares them: lower case, default
 * port explicit.
 */
public final class Origins {
    public static final String ANY = "*";

    private Origins() {}

    /**
     * {@code --allowed-origins}: each entry an http(s) origin or {@code *}.
     *
     * @param name the flag or config key, for the message
     */
    static List<String> normalize(String name, List<String> origins) throws ConfigException {
        List<String> out = new ArrayList<>();
        for (String o : origins) {
            if (o.equals(ANY)) {
                out.add(ANY);
                continue;
            }
            String n = canonical(o);
            if (n == null) {
                throw new ConfigException(
                        name
                                + ": '"
                                + o
                                + "' is not an origin such as https://app.example.com"
                                + " or http://localhost:8080 (or *)");
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    /**
     * {@code scheme://host:port} with the default port filled in, or null if {@code origin} is not
     * an http(s) origin.
     */
    public static String canonical(String origin) {
        try {
            URI u = new URI(origin.trim());
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme)
                    || u.getHost() == null
                    || u.getRawUserInfo() != null
                    || (u.getRawPath() != null
                            && !u.getRawPath().isEmpty()
                            && !u.getRawPath().equals("/"))
                    || u.getRawQuery() != null
                    || u.getRawFragment() != null) {
                return null;
            }
            int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
