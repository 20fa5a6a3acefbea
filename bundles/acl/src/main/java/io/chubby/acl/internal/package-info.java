/**
 * Access control of a replica (the optional acl bundle). {@link io.chubby.acl.internal.AclService}
 * is the DS component (PID {@code io.chubby.acl}) that registers the {@link io.chubby.spi.Authorizer}
 * and the change-feed listener, and the {@link io.chubby.spi.Authenticator} when a passwords file is
 * configured. {@link io.chubby.acl.internal.AccessRules} is the decision table (pure);
 * {@link io.chubby.acl.internal.ShiroSecurity} assembles Apache Shiro in code: the
 * {@link io.chubby.acl.internal.AclRealm} resolves ACL membership
 * ({@link io.chubby.acl.internal.Membership}) from the replicated ACL files
 * ({@link io.chubby.acl.internal.AclFileCache}), the {@link io.chubby.acl.internal.PasswordRealm}
 * checks passwords ({@link io.chubby.acl.internal.PasswordFile}); the component's decisions are
 * counted for the metrics bundle ({@link io.chubby.acl.internal.DecisionCounts}). Nothing here is exported; Shiro
 * and its dependencies are embedded privately.
 */
package io.chubby.acl.internal;
