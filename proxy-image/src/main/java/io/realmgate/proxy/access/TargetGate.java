package io.realmgate.proxy.access;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Decides where a request may go and which address to dial, in the order that keeps DNS out of
 * reach of refused requests: port and host rules first (no lookup), then one resolution, then the
 * address check. The address returned is the one checked; the caller dials exactly it, so a name
 * that resolves differently a moment later (DNS rebinding) cannot redirect the connection.
 */
public final class TargetGate {
    private final TargetPolicy policy;
    private final TargetResolver resolver;
    private final Executor lookups;

    public TargetGate(TargetPolicy policy, TargetResolver resolver, Executor lookups) {
        this.policy = policy;
        this.resolver = resolver;
        this.lookups = lookups;
    }

    public TargetPolicy policy() {
        return policy;
    }

    /**
     * Completes on {@code loop} with the address to dial, or fails with {@link
     * Refusal.RefusedException}.
     */
    public Future<InetSocketAddress> admit(Target target, EventExecutor loop) {
        Promise<InetSocketAddress> promise = loop.newPromise();
        TargetPolicy.Precheck pre = policy.precheck(target);
        if (pre == TargetPolicy.Precheck.REFUSED) {
            return promise.setFailure(
                    refused(
                            Refusal.Reason.TARGET_NOT_ALLOWED,
                            target + " is not an allowed target"));
        }
        if (target.literal().isPresent()) {
            InetAddress a = target.literal().get();
            if (policy.admits(a, target.port())) {
                return promise.setSuccess(new InetSocketAddress(a, target.port()));
            }
            return promise.setFailure(
                    refused(
                            Refusal.Reason.TARGET_NOT_ALLOWED,
                            target + " is not an allowed target"));
        }
        try {
            lookups.execute(() -> resolveAndCheck(target, pre, promise));
        } catch (RejectedExecutionException e) {
            promise.tryFailure(refused(Refusal.Reason.UNRESOLVABLE, "resolver unavailable"));
        }
        return promise;
    }

    private void resolveAndCheck(
            Target target, TargetPolicy.Precheck pre, Promise<InetSocketAddress> promise) {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(target.host());
        } catch (UnknownHostException e) {
            promise.tryFailure(
                    refused(Refusal.Reason.UNRESOLVABLE, "cannot resolve " + target.host()));
            return;
        } catch (RuntimeException e) {
            promise.tryFailure(
                    refused(
                            Refusal.Reason.UNRESOLVABLE,
                            "lookup of " + target.host() + " failed: " + e));
            return;
        }
        // Prefer IPv4 when both are offered: loopback and most clusters route it; order is
        // otherwise the resolver's.
        InetAddress chosen = null;
        for (int pass = 0; pass < 2 && chosen == null; pass++) {
            for (InetAddress a : addresses) {
                boolean v4 = a.getAddress().length == 4;
                if ((pass == 0) != v4) {
                    continue;
                }
                if (pre == TargetPolicy.Precheck.ADMITTED_BY_NAME
                        || policy.admits(a, target.port())) {
                    chosen = a;
                    break;
                }
            }
        }
        if (chosen == null) {
            promise.tryFailure(
                    refused(
                            Refusal.Reason.TARGET_NOT_ALLOWED,
                            target + " resolves only to addresses that are not allowed"));
        } else {
            promise.trySuccess(new InetSocketAddress(chosen, target.port()));
        }
    }

    private static Refusal.RefusedException refused(Refusal.Reason reason, String detail) {
        return new Refusal.RefusedException(Refusal.of(reason, detail));
    }
}
