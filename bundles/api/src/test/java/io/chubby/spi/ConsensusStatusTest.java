package io.chubby.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class ConsensusStatusTest {

    @Test
    void theConstructorOfSpi14MeansGroupZero() {
        ConsensusStatus old = new ConsensusStatus(1, "master", 1, 257, 10, 10, 99, 1, true);
        assertEquals(0, old.group());
        assertEquals(new ConsensusStatus(1, "master", 1, 257, 10, 10, 99, 1, true, 0), old);
    }

    @Test
    void statusesOfDifferentGroupsDiffer() {
        ConsensusStatus g2 = new ConsensusStatus(1, "replica", 3, 513, 4, 4, 7, 1, false, 2);
        assertEquals(2, g2.group());
        assertNotEquals(new ConsensusStatus(1, "replica", 3, 513, 4, 4, 7, 1, false, 0), g2);
    }
}
