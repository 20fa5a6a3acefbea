package io.chubby.it;

/**
 * {@link FileApiBehaviour} on a five-replica cell whose clients reach it through two proxies of
 * real processes (issue 17): every client of the suite names the proxies only (the raw-protocol
 * tests of {@link WireProtocolBehaviour} still speak to the master directly).
 */
class FileApiThroughProxiesIT extends WireProtocolBehaviour {
    @Override
    int replicas() {
        return 5;
    }

    @Override
    protected int proxies() {
        return 2;
    }
}
