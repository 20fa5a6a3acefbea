package io.chubby.acl.internal;

import io.chubby.api.CreateMode;
import io.chubby.api.NodePath;
import io.chubby.api.OpenMode;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.Principal;
import io.chubby.testkit.CapturingConnection;
import java.lang.annotation.Annotation;
import java.util.Set;

/** Requests, principals and configurations for the acl tests. */
final class Fixtures {
    static final Principal ALICE = new Principal("alice", Principal.Mechanism.PASSWORD);
    static final Principal BOB = new Principal("bob", Principal.Mechanism.TLS_CERTIFICATE);
    static final Principal ROOT = new Principal("root", Principal.Mechanism.TLS_CERTIFICATE);

    private Fixtures() {
    }

    static CellRequest call(Principal who, CellOperation op, String path) {
        return new CellRequest(1, op, 7, 0, new CapturingConnection(who, "test"), path == null ? null : NodePath.parse(path),
                Set.of(), CreateMode.NO);
    }

    static CellRequest open(Principal who, String path, CreateMode create, OpenMode... modes) {
        return new CellRequest(1, CellOperation.OPEN, 7, 0, new CapturingConnection(who, "test"), NodePath.parse(path),
                Set.of(modes), create);
    }

    static AclService.Config config(String superusers, boolean anonymous, String passwordsFile, int failuresPerMinute,
                                    int auditPerSecond) {
        return new AclService.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AclService.Config.class;
            }

            @Override
            public String acl_superusers() {
                return superusers;
            }

            @Override
            public boolean acl_anonymous() {
                return anonymous;
            }

            @Override
            public String acl_passwords_file() {
                return passwordsFile;
            }

            @Override
            public int acl_login_failures_per_minute() {
                return failuresPerMinute;
            }

            @Override
            public int acl_audit_per_second() {
                return auditPerSecond;
            }
        };
    }

    static AclService.Config config(String superusers, boolean anonymous) {
        return config(superusers, anonymous, "", 5, 100);
    }
}
