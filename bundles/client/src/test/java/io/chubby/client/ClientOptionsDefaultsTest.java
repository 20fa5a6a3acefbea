package io.chubby.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The documented defaults (client README) are the ones a built ClientOptions has. */
class ClientOptionsDefaultsTest {

    @Test
    void theFirstRetryWaitsTenMilliseconds() {
        // 10 ms since issue 19: a planned change of master takes 10-60 ms (README "CELL_UNAVAILABLE")
        assertEquals(Duration.ofMillis(10), ClientOptions.builder().cell("127.0.0.1:7001").build().retryBackoff());
        assertEquals(Duration.ofMillis(10), ClientOptions.DEFAULT_RETRY_BACKOFF);
    }
}
