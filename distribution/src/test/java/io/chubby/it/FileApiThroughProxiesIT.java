package io.chubby.it;

/**
 * {@link FileApiBehaviour} on a five-replica cell whose clients reach it through two proxies of
 * real processes (issue 17): every client of the suite names the proxies only (the raw-protocol
 * tests of {@link WireProtocolBehaviour} still speak to the master directly).
 */
class FileApiThroughProxiesIT extends WireProtocolBehaviour {
    private ProxyCell proxies;

    @Override
    int replicas() {
        return 5;
    }

    @Override
    protected void cellUp() {
        proxies = ProxyCell.start(cell, 2);
    }

    @Override
    protected String clientCellSpec() {
        return proxies.spec();
    }

    @Override
    protected void beforeCellDown() {
        if (proxies != null) {
            proxies.destroy();
        }
    }
}
