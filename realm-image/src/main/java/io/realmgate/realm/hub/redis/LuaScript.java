package io.realmgate.realm.hub.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One of the engine's Lua scripts, called by its SHA-1 ({@code EVALSHA}) so that a publish sends
 * its key names and data, not the script (docs/decisions.md, "Scripts by their SHA"). Redis forgets
 * scripts on {@code SCRIPT FLUSH}, a restart or a failover to a replica that never saw them: the
 * call that hears {@code NOSCRIPT} sends the script itself once ({@code EVAL}, which also caches it
 * again), and the next calls find it by SHA again.
 */
final class LuaScript {
    final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /** The script {@code name} from this package's resources. */
    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-1 Redis names the script by, lower-case hex. */
    String sha() {
        return sha;
    }

    /** {@code SCRIPT LOAD}: after a connection opened, so that the first calls find it. */
    CompletableFuture<String> preload(RedisAsyncCommands<String, byte[]> redis) {
        return redis.scriptLoad(source).toCompletableFuture();
    }

    /**
     * Runs the script by its SHA; on {@code NOSCRIPT} once more with its source.
     *
     * @param reloaded called when Redis had forgotten the script (counted in the metrics)
     */
    CompletableFuture<List<Object>> run(
            RedisAsyncCommands<String, byte[]> redis,
            String[] keys,
            byte[][] args,
            Runnable reloaded) {
        return redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture()
                .exceptionallyCompose(
                        failure -> {
                            if (!(unwrap(failure) instanceof RedisNoScriptException)) {
                                return CompletableFuture.failedFuture(failure);
                            }
                            reloaded.run();
                            return redis.<List<Object>>eval(
                                            source, ScriptOutputType.MULTI, keys, args)
                                    .toCompletableFuture();
                        });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-1")
                                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this Java runtime", e);
        }
    }
}
