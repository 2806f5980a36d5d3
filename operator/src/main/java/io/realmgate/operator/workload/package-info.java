/**
 * The building blocks both workload models (a Realm's and a ForwardProxy's) make their children of:
 * the security contexts of the pods, a child's metadata, service ports, and the TLS Secret of a
 * certificate the operator issued. One place, so the realm and the proxy pods cannot drift apart in
 * what they have in common.
 */
package io.realmgate.operator.workload;
