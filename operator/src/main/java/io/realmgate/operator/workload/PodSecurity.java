package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.realmgate.operator.Pods;
import java.util.Collection;

/**
 * The security contexts of the realm and proxy pods, which meet the {@code restricted} Pod Security
 * Standard: a non-root user and group (the images' own), the runtime's default seccomp profile, no
 * privilege escalation, a read-only root file system and no capabilities at all.
 */
public final class PodSecurity {
    /** The non-root user and group of the realm and proxy images. */
    public static final long RUN_AS = 10001L;

    /**
     * Mounted Secrets (keys, password hashes) are readable by the owner and the fsGroup only
     * (0440).
     */
    public static final int SECRET_FILE_MODE = 0440;

    private PodSecurity() {}

    /**
     * The pod's context; {@code listeningPorts} decide whether the pod needs the sysctl that lets a
     * non-root user listen below 1024 ({@link Pods#sysctls}).
     */
    public static PodSecurityContext pod(Collection<Integer> listeningPorts) {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(RUN_AS)
                .withRunAsGroup(RUN_AS)
                .withFsGroup(RUN_AS)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .withSysctls(Pods.sysctls(listeningPorts))
                .build();
    }

    /** The container's context. */
    public static SecurityContext container() {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .build();
    }
}
