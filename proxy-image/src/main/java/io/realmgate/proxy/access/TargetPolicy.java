package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.util.List;

/**
 * Apache's {@code AllowCONNECT}, tightened: which targets clients may reach. No rule admits
 * nothing. The policy is split in two so that the caller asks the cheap question (port and name)
 * before any DNS lookup, and the address question after resolving exactly once.
 */
public final class TargetPolicy {

    /** What can be said about a target before resolving it. */
    public enum Precheck {
        /** No rule can admit this target: refuse without a lookup. */
        REFUSED,
        /** A host rule names this target: resolve and dial, any address. */
        ADMITTED_BY_NAME,
        /** An address or port-only rule may admit it: resolve, then check each address. */
        NEEDS_ADDRESS
    }

    private final List<TargetRule> rules;

    public TargetPolicy(List<TargetRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<TargetRule> rules() {
        return rules;
    }

    public Precheck precheck(Target target) {
        boolean byAddress = false;
        for (TargetRule rule : rules) {
            if (rule.admitsByName(target)) {
                return Precheck.ADMITTED_BY_NAME;
            }
            byAddress |= rule.mayAdmitByAddress(target);
        }
        return byAddress ? Precheck.NEEDS_ADDRESS : Precheck.REFUSED;
    }

    /**
     * Whether {@code address} (what the target resolved to, or its literal) may be dialled on
     * {@code port}.
     */
    public boolean admits(InetAddress address, int port) {
        for (TargetRule rule : rules) {
            if (rule.admitsAddress(address, port)) {
                return true;
            }
        }
        return false;
    }
}
