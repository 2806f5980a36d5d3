package io.realmgate.realm.client;

/**
 * One event as a subscriber receives it.
 *
 * @param data the event's {@code data}, as JSON text
 */
public record RealmEvent(String channel, long id, String data) {}
