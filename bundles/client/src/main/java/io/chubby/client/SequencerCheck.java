package io.chubby.client;

/**
 * The cell's (or a {@link SequencerVerifier}'s) verdict on a sequencer.
 *
 * @param valid  whether the lock is still held in that mode at that generation
 * @param reason why not (empty when valid), e.g. "forged: ...", "the lock ... is not held any more"
 */
public record SequencerCheck(boolean valid, String reason) {
    public SequencerCheck {
        reason = reason == null ? "" : reason;
    }
}
