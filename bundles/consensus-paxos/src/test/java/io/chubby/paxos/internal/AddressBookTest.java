package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Configuration;
import io.chubby.spi.Member;
import io.chubby.testkit.MemoryLogStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressBookTest {
    private static final List<Member> BOOK = Member.parseList("3@10.0.0.3:7003:7103,1@h1:7001:7101,2@h2:7002:7102");

    @Test
    void aConfigurationEntryCarriesTheIdsForTheCoreAndTheAddressesForTheEdge() {
        byte[] value = AddressBook.entryValue(BOOK);
        assertEquals(Configuration.of(List.of(1, 2, 3)), Configuration.decode(value));
        assertEquals(List.of(BOOK.get(1), BOOK.get(2), BOOK.get(0)), AddressBook.members(value));
    }

    @Test
    void aBookThatDoesNotNameTheConfigurationsMembersIsRefused() {
        byte[] value = Configuration.of(List.of(1, 2)).encode(AddressBook.encode(BOOK));
        assertThrows(IllegalArgumentException.class, () -> AddressBook.members(value));
        assertThrows(IllegalArgumentException.class, () -> AddressBook.members(new byte[] {1, 2, 3}));
    }

    @Test
    void theHistoryKeepsTheLastFewDurablyAndAnswersAtOrBelow() {
        MemoryLogStore store = new MemoryLogStore();
        ConfigurationHistory h = new ConfigurationHistory(store);
        assertNull(h.atOrBelow(100));
        for (int i = 1; i <= ConfigurationHistory.KEEP + 2; i++) {
            h.record(i * 10L, AddressBook.entryValue(BOOK.subList(0, 1 + i % 3)));
        }
        ConfigurationHistory reopened = new ConfigurationHistory(store);
        assertArrayEquals(AddressBook.entryValue(BOOK.subList(0, 1 + 5 % 3)), reopened.atOrBelow(55));
        assertNull(reopened.atOrBelow(25), "the oldest records were dropped");
        assertArrayEquals(h.atOrBelow(1000), reopened.atOrBelow(1000));
        // A snapshot at an index below what was recorded replaces what lies above it.
        reopened.record(45, AddressBook.entryValue(BOOK));
        assertArrayEquals(AddressBook.entryValue(BOOK), new ConfigurationHistory(store).atOrBelow(1000));
    }

    @Test
    void aSnapshotsFirstChunkCarriesTheConfigurationOnTheWire() {
        byte[] value = AddressBook.entryValue(BOOK);
        Ballot b = new Ballot(4, 2);
        SnapshotPiece p = new SnapshotPiece(1, 2, 900, b, b.epoch(), 0, new byte[] {9}, true, 1, 77L, value);
        SnapshotPiece back = (SnapshotPiece) PeerCodec.decode(PeerCodec.encode(p));
        assertArrayEquals(value, back.configuration());
        SnapshotPiece none = (SnapshotPiece) PeerCodec.decode(PeerCodec.encode(
                new SnapshotPiece(1, 2, 900, b, b.epoch(), 0, new byte[] {9}, true, 1, 77L)));
        assertEquals(0, none.configuration().length, "an older master's chunk carries none");
    }
}
