package io.chubby.bench.micro;

import com.google.protobuf.ByteString;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsReply;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.protocol.StatMessage;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Client protocol codec: a 100-byte SetContents request and its reply, protobuf + {@link Frames}. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBench {
    private final byte[] handle = new byte[48];
    private final byte[] contents = new byte[100];
    private byte[] requestFrame;
    private byte[] responseFrame;
    private long callId;

    @Setup
    public void setup() {
        requestFrame = encodeRequest();
        responseFrame = encodeResponse();
    }

    @Benchmark
    public byte[] encodeRequest() {
        return Frames.encode(Request.newBuilder().setCallId(++callId).setSessionId(42).setEpoch(7)
                .setSetContents(SetContentsRequest.newBuilder().setHandle(ByteString.copyFrom(handle))
                        .setContents(ByteString.copyFrom(contents)))
                .build().toByteArray());
    }

    @Benchmark
    public Request decodeRequest() throws Exception {
        return Request.parseFrom(Frames.decode(ByteBuffer.wrap(requestFrame), Frames.DEFAULT_MAX_MESSAGE));
    }

    @Benchmark
    public byte[] encodeResponse() {
        return Frames.encode(Response.newBuilder().setCallId(++callId)
                .setSetContents(SetContentsReply.newBuilder().setStat(StatMessage.newBuilder().setInstance(3)
                        .setContentGeneration(callId).setSize(100).setChecksum(0x1234_5678_9abcL)))
                .build().toByteArray());
    }

    @Benchmark
    public Response decodeResponse() throws Exception {
        return Response.parseFrom(Frames.decode(ByteBuffer.wrap(responseFrame), Frames.DEFAULT_MAX_MESSAGE));
    }
}
