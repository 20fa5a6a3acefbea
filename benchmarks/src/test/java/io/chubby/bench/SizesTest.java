package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void commaSeparatedSizesInOrder() {
        assertArrayEquals(new int[] {1000, 10000}, Sizes.parse("watchers", "1000,10000"));
        assertArrayEquals(new int[] {200}, Sizes.parse("watchers", "200"));
        assertArrayEquals(new int[] {5000, 100}, Sizes.parse("watchers", " 5000 , 100"));
    }

    @Test
    void rejectsWhatIsNotAListOfPositiveSizes() {
        for (String bad : new String[] {"", "1000,", ",1000", "10k", "1000;2000", "0", "-5", "1000,,2000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse("watchers", bad), bad);
            assertTrue(e.getMessage().startsWith("--watchers "), e.getMessage());
        }
    }
}
