package io.chubby.identity.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Member;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityTest {
    static final String MEMBERS = "1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102,3@127.0.0.1:7003:7103";

    static Map<String, Object> valid() {
        Map<String, Object> p = new HashMap<>();
        p.put("cell.name", "cellA");
        p.put("replica.id", "2");
        p.put("members", MEMBERS);
        p.put("data.dir", "/srv/chubby/r2/data");
        return p;
    }

    @Test
    void validPropertiesAsFileInstallPassesThem() {
        Identity id = Identity.from(valid());
        assertEquals("cellA", id.cellName());
        assertEquals(2, id.replicaId());
        assertEquals(3, id.members().size());
        assertEquals(new Member(2, "127.0.0.1", 7002, 7102), id.self());
        assertEquals("/srv/chubby/r2/data", id.dataDir());
    }

    @Test
    void typedValuesAndTheDefaultCellName() {
        Map<String, Object> p = valid();
        p.remove("cell.name");
        p.put("replica.id", 3);
        Identity id = Identity.from(p);
        assertEquals("local", id.cellName());
        assertEquals(3, id.replicaId());
    }

    @Test
    void eachProblemNamesItsKey() {
        assertProblem("replica.id 4 is not in members", Map.of("replica.id", "4"));
        assertProblem("replica.id \"two\" is not a number", Map.of("replica.id", "two"));
        assertProblem("cell.name \"my cell\" is not a valid cell name", Map.of("cell.name", "my cell"));
        assertProblem("cell.name \"..\" is not a valid cell name", Map.of("cell.name", ".."));
        assertProblem("members \"1@127.0.0.1:7001\" does not parse", Map.of("members", "1@127.0.0.1:7001"));
        assertProblem("duplicate replica id 1", Map.of("members", "1@h:1:2,1@h:3:4"));
        assertProblem("members must be a single value", Map.of("members", new String[] {"a", "b"}));
        assertProblem("data.dir is not set", Map.of("data.dir", " "));
    }

    @Test
    void missingKeysAreAllReportedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Identity.from(Map.of()));
        for (String key : List.of("replica.id is not set", "members is not set", "data.dir is not set")) {
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    private static void assertProblem(String expected, Map<String, Object> change) {
        Map<String, Object> p = valid();
        p.putAll(change);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Identity.from(p));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should say '" + expected + "'");
    }
}
