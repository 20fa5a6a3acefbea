package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegisterValuesTest {
    @Test
    void everyWriteWritesADifferentValue() {
        Set<Long> seen = new HashSet<>();
        Long v = null;
        for (int client = 0; client < 5; client++) {
            for (int seq = 0; seq < 200; seq++) {
                assertTrue(seen.add(RegisterValues.fresh(client, seq)));
                v = RegisterValues.next(v, client, seq + 1000);
                assertTrue(seen.add(v));
            }
        }
        assertEquals(1000, RegisterValues.count(v));
    }

    @Test
    void encodesAsDecimalTextAndEmptyIsAbsent() {
        long v = RegisterValues.next(RegisterValues.fresh(3, 9), 4, 7);
        assertEquals(v, RegisterValues.decode(RegisterValues.encode(v)));
        assertNull(RegisterValues.decode(new byte[0]));
        assertEquals(1, RegisterValues.count(v));
    }

    @Test
    void refusesNamesThatWouldCollide() {
        assertThrows(IllegalArgumentException.class, () -> RegisterValues.fresh(256, 0));
        assertThrows(IllegalArgumentException.class, () -> RegisterValues.fresh(1, 1 << 24));
    }
}
