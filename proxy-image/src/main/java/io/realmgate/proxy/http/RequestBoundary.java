package io.realmgate.proxy.http;

/**
 * User event fired through the client pipeline when the front end is ready for the next request
 * head (after a keep-alive exchange). Handlers that watch request heads re-arm on it.
 */
enum RequestBoundary {
    AWAITING_HEAD
}
