package io.chubby.it;

/**
 * {@link LocksIT} on a five-replica cell whose clients (the Java client and the `chubby` command)
 * reach it through two proxies of real processes (issue 17).
 */
class LocksThroughProxiesIT extends LocksIT {
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
