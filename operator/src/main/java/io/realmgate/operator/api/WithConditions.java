package io.realmgate.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** A status with standard conditions (Ready, CertificateReady). */
public interface WithConditions {
    List<Condition> conditions();
}
