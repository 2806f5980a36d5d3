/**
 * The operator's Kubernetes client as Main and the tests build it ({@link
 * io.realmgate.operator.client.OperatorClient}), with what it changes in Fabric8's reading of
 * objects ({@link io.realmgate.operator.client.SharedManagedFields}).
 */
package io.realmgate.operator.client;
