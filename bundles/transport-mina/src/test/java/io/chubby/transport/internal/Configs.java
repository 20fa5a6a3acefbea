package io.chubby.transport.internal;

import io.chubby.spi.Member;
import io.chubby.spi.ReplicaIdentity;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

/** What SCR hands a component: its Config from Config Admin properties, and a replica identity. */
final class Configs {
    private Configs() {
    }

    /** Given keys (by method name), annotation defaults otherwise. */
    static <A> A of(Class<A> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return type;
                    }
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                }));
    }

    /** A replica identity as the identity bundle would publish it. */
    record Identity(String cellName, int replicaId, List<Member> members) implements ReplicaIdentity {
        Identity(String cellName, int replicaId, String members) {
            this(cellName, replicaId, Member.parseList(members));
        }

        @Override
        public String dataDir() {
            return "/unused";
        }
    }
}
