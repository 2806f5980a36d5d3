package io.realmgate.realm.hub;

/**
 * Channel names: 1 to 128 characters from {@code A-Z a-z 0-9 . _ ~ / -}. Narrow on purpose: a name
 * needs no escaping in JSON, in a URL query or in a Prometheus label, and {@code :} stays free to
 * separate a name from a resume id in the fallback transports' {@code sub=NAME:ID}.
 */
public final class ChannelName {
    public static final int MAX_LENGTH = 128;

    private ChannelName() {}

    public static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '.'
                            || c == '_'
                            || c == '~'
                            || c == '/'
                            || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static String check(String name) throws HubException {
        if (!valid(name)) {
            throw new HubException(
                    "bad-channel",
                    "channel names are 1-" + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ ~ / -");
        }
        return name;
    }
}
