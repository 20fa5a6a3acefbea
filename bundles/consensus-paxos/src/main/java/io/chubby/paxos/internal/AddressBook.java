package io.chubby.paxos.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.paxos.core.Configuration;
import io.chubby.protocol.peer.MemberAddress;
import io.chubby.protocol.peer.MemberList;
import io.chubby.spi.Member;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The members of a configuration with their addresses, as a configuration entry carries them: the
 * core's {@link Configuration} encoding (the ids) with a protobuf {@code chubby.peer.v1.MemberList}
 * as its attachment (CORE-API.md "Changing the members").
 */
final class AddressBook {

    private AddressBook() {
    }

    /** The configuration entry value for {@code members} (ids and addresses). */
    static byte[] entryValue(List<Member> members) {
        return configuration(members).encode(encode(members));
    }

    /** The ids of {@code members} as the core's configuration. */
    static Configuration configuration(List<Member> members) {
        return Configuration.of(members.stream().map(Member::id).toList());
    }

    /**
     * The members a configuration entry value names, by id, with the addresses of its address book.
     *
     * @throws IllegalArgumentException not a configuration entry, or its address book does not name
     *                                  exactly its members
     */
    static List<Member> members(byte[] entryValue) {
        Configuration c = Configuration.decode(entryValue);
        if (c == null) {
            throw new IllegalArgumentException("not a configuration entry");
        }
        List<Member> book = decode(Configuration.attachment(entryValue));
        if (!configuration(book).equals(c)) {
            throw new IllegalArgumentException("address book " + book + " does not match " + c);
        }
        return book;
    }

    static byte[] encode(List<Member> members) {
        MemberList.Builder b = MemberList.newBuilder();
        for (Member m : sorted(members)) {
            b.addMembers(MemberAddress.newBuilder().setId(m.id()).setHost(m.host()).setClientPort(m.clientPort())
                    .setPeerPort(m.peerPort()));
        }
        return b.build().toByteArray();
    }

    static List<Member> decode(byte[] bytes) {
        try {
            List<Member> out = new ArrayList<>();
            for (MemberAddress a : MemberList.parseFrom(bytes).getMembersList()) {
                out.add(new Member(a.getId(), a.getHost(), a.getClientPort(), a.getPeerPort()));
            }
            return sorted(out);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("bad address book", e);
        }
    }

    private static List<Member> sorted(List<Member> members) {
        return members.stream().sorted(Comparator.comparingInt(Member::id)).toList();
    }
}
