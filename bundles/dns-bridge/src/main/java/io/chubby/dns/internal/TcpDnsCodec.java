package io.chubby.dns.internal;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.CumulativeProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolCodecFactory;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolDecoderOutput;
import org.apache.mina.filter.codec.ProtocolEncoder;
import org.apache.mina.filter.codec.ProtocolEncoderAdapter;
import org.apache.mina.filter.codec.ProtocolEncoderOutput;

/** DNS over TCP framing: each message is preceded by its length as a 2-byte big-endian number. */
final class TcpDnsCodec implements ProtocolCodecFactory {
    private final ProtocolDecoder decoder = new CumulativeProtocolDecoder() {
        @Override
        protected boolean doDecode(IoSession session, IoBuffer in, ProtocolDecoderOutput out) {
            if (in.remaining() < 2) {
                return false;
            }
            int len = in.getUnsignedShort(in.position());
            if (in.remaining() < 2 + len) {
                return false;
            }
            in.skip(2);
            byte[] msg = new byte[len];
            in.get(msg);
            out.write(msg);
            return true;
        }
    };

    private final ProtocolEncoder encoder = new ProtocolEncoderAdapter() {
        @Override
        public void encode(IoSession session, Object message, ProtocolEncoderOutput out) {
            byte[] m = (byte[]) message;
            IoBuffer b = IoBuffer.allocate(2 + m.length);
            b.putUnsignedShort(m.length);
            b.put(m);
            b.flip();
            out.write(b);
        }
    };

    @Override
    public ProtocolEncoder getEncoder(IoSession session) {
        return encoder;
    }

    @Override
    public ProtocolDecoder getDecoder(IoSession session) {
        return decoder;
    }
}
